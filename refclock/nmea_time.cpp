#include "refclock/nmea_time.hpp"

#include "refclock/gps_week_rollover.hpp"

namespace stratumd {

using namespace std::chrono;

std::optional<NmeaTime> NmeaTimeAssembler::on_sentence(const NmeaSentence& s) {
  if (s.date) {
    int year = s.date->year;
    if (s.date->four_digit_year) {
      century_ = year / 100 * 100;
    } else {
      year += century_.value_or(2000);
    }
    const year_month_day ymd{std::chrono::year{year}, month{static_cast<unsigned>(s.date->month)},
                             day{static_cast<unsigned>(s.date->day)}};
    if (ymd.ok()) date_ = sys_days{ymd};
  }
  if (s.fix_valid) last_fix_valid_ = *s.fix_valid;
  if (!s.time) return std::nullopt;
  const seconds time_of_day =
      hours{s.time->hour} + minutes{s.time->minute} + seconds{s.time->second};
  if (!s.date && date_ && last_time_of_day_) {
    // A sentence without a date just after midnight belongs to the next day (and one from just
    // before midnight, arriving after a dated sentence of the new day, to the previous one).
    if (time_of_day + hours{12} < *last_time_of_day_)
      *date_ += days{1};
    else if (time_of_day > *last_time_of_day_ + hours{12})
      *date_ -= days{1};
  }
  last_time_of_day_ = time_of_day;
  if (!date_) {
    ++counters_.no_date_yet;
    return std::nullopt;
  }
  const RolloverCorrection corrected = correct_gps_week_rollover(*date_, base_date_);
  if (corrected.periods_added) ++counters_.rollover_corrected;
  ++counters_.times;
  NmeaTime t;
  t.time = UtcTime{corrected.date} + time_of_day + Nanoseconds{s.time->nanosecond};
  t.source = s.type;
  t.fix_valid = s.fix_valid.value_or(last_fix_valid_);
  t.leap_second = s.time->second == 60;
  t.rollover_periods = corrected.periods_added;
  return t;
}

}  // namespace stratumd
