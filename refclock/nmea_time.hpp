// Turns a receiver's stream of NMEA sentences into UTC times: RMC and ZDA give the date, every
// time-carrying sentence (RMC, GGA, GLL, ZDA, GNS) the time of day. A two-digit year is the year
// of that ending nearest the base date's; a date before the base date is a GPS week rollover and
// is corrected; a time is never earlier than the base date nor 1024 weeks or more after it
// (refused); a date the calendar does not have (31 November) is refused.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "firmware/time/time_types.hpp"
#include "refclock/nmea_parser.hpp"

namespace stratumd {

struct NmeaTime {
  UtcTime time;  // the instant the sentence names (its second and fraction)
  NmeaType source = NmeaType::other;
  bool fix_valid = false;    // the receiver vouches for this solution
  bool leap_second = false;  // second 60: `time` is the following 00:00:00
  int rollover_periods = 0;  // 1024-week periods added to the reported date
};

struct NmeaTimeCounters {
  std::uint64_t times = 0;
  std::uint64_t no_date_yet = 0;  // time of day before any RMC/ZDA date
  std::uint64_t rollover_corrected = 0;
  std::uint64_t bad_date = 0;      // a date the calendar does not have
  std::uint64_t out_of_range = 0;  // 1024 weeks or more after the base date
};

class NmeaTimeAssembler {
 public:
  // `bounded`: refuse dates 1024 weeks or more after the base (a live receiver); a replayed log
  // without a configured base keeps whatever dates it has.
  // `accept_estimated`: dead-reckoning solutions count as a fix (`fix estimated`).
  explicit NmeaTimeAssembler(std::chrono::sys_days base_date, bool bounded = true,
                             bool accept_estimated = false)
      : base_date_(base_date), bounded_(bounded), accept_estimated_(accept_estimated) {}

  std::optional<NmeaTime> on_sentence(const NmeaSentence& sentence);

  const NmeaTimeCounters& counters() const { return counters_; }
  std::chrono::sys_days base_date() const { return base_date_; }

 private:
  std::chrono::sys_days base_date_;
  bool bounded_;
  bool accept_estimated_;
  std::optional<std::chrono::sys_days> date_;  // as the receiver reported it, uncorrected
  std::optional<std::chrono::seconds> last_time_of_day_;
  bool last_fix_valid_ = false;  // ZDA says nothing of the fix: the cycle's RMC/GGA/GSA does
  NmeaTimeCounters counters_;
};

}  // namespace stratumd
