#include "refclock/nmea_time.hpp"

#include "refclock/gps_week_rollover.hpp"

namespace stratumd {

using namespace std::chrono;

namespace {

// A two-digit year is the one of that ending nearest the base date's year (a rollover-afflicted
// receiver's 99 is 1999, which the week-rollover correction then carries forward; never 2099).
int year_nearest(int two_digits, int base_year) {
  int year = base_year / 100 * 100 + two_digits;
  if (year - base_year > 50) year -= 100;
  if (base_year - year > 50) year += 100;
  return year;
}

bool last_hour(seconds time_of_day) {
  return time_of_day >= hours{23};
}
bool first_hour(seconds time_of_day) {
  return time_of_day < hours{1};
}

}  // namespace

std::optional<NmeaTime> NmeaTimeAssembler::on_sentence(const NmeaSentence& s) {
  if (s.date) {
    const int year = s.date->four_digit_year
                         ? s.date->year
                         : year_nearest(s.date->year, int{year_month_day{base_date_}.year()});
    const year_month_day ymd{std::chrono::year{year}, month{static_cast<unsigned>(s.date->month)},
                             day{static_cast<unsigned>(s.date->day)}};
    if (!ymd.ok()) {
      // 31 November: nothing this sentence says is believed, and no later sentence without a
      // date is dated by an older one.
      ++counters_.bad_date;
      date_.reset();
      return std::nullopt;
    }
    date_ = sys_days{ymd};
  }
  const std::optional<bool> fix =
      s.fix_valid ? std::optional<bool>(*s.fix_valid || (accept_estimated_ && s.estimated))
                  : std::nullopt;
  if (fix) last_fix_valid_ = *fix;
  if (!s.time) return std::nullopt;
  const seconds time_of_day =
      hours{s.time->hour} + minutes{s.time->minute} + seconds{s.time->second};
  if (!s.date && date_ && last_time_of_day_) {
    // A sentence without a date just after midnight belongs to the next day (and one from just
    // before midnight, arriving after a dated sentence of the new day, to the previous one). Only
    // across midnight: a garbled hour elsewhere must not move the date for good.
    if (first_hour(time_of_day) && last_hour(*last_time_of_day_)) {
      *date_ += days{1};
    } else if (last_hour(time_of_day) && first_hour(*last_time_of_day_)) {
      *date_ -= days{1};
    }
  }
  last_time_of_day_ = time_of_day;
  if (!date_) {
    ++counters_.no_date_yet;
    return std::nullopt;
  }
  RolloverCorrection corrected = correct_gps_week_rollover(*date_, base_date_);
  if (bounded_ && corrected.periods_added > 0 && base_date_ - *date_ <= kNearBase) {
    const std::optional<UtcTime> known = known_time_ ? known_time_() : std::nullopt;
    const auto near = [&](sys_days d) {
      return known && abs(UtcTime{d} - *known) <= Nanoseconds{kNearBase};
    };
    if (near(*date_)) {
      ++counters_.near_base_as_is;
      corrected = RolloverCorrection{*date_, 0};
    } else if (!near(corrected.date)) {
      ++counters_.near_base_refused;
      return std::nullopt;
    }
  }
  if (bounded_ && corrected.date >= base_date_ + kGpsRolloverPeriod) {
    // Beyond what a receiver's 1024-week count can mean from the base date (a ZDA year of 2263).
    ++counters_.out_of_range;
    if (s.date) date_.reset();
    return std::nullopt;
  }
  if (corrected.periods_added) ++counters_.rollover_corrected;
  ++counters_.times;
  NmeaTime t;
  t.time = UtcTime{corrected.date} + time_of_day + Nanoseconds{s.time->nanosecond};
  t.source = s.type;
  t.fix_valid = fix.value_or(last_fix_valid_);
  t.leap_second = s.time->second == 60;
  t.rollover_periods = corrected.periods_added;
  return t;
}

}  // namespace stratumd
