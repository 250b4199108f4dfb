// Turns a receiver's stream of NMEA sentences into UTC times: RMC and ZDA give the date, every
// time-carrying sentence (RMC, GGA, GLL, ZDA, GNS) the time of day. A two-digit year is the year
// of that ending nearest the base date's; a date before the base date is a GPS week rollover and
// is corrected; a time is never earlier than the base date nor 1024 weeks or more after it
// (refused); a date the calendar does not have (31 November) is refused.
//
// A rollover correction only when plausible: a date a few months (kNearBase) before the base is
// far more likely right, or a lie, than 19.6 years in the future. It is taken as it is when the
// time this appliance knows (its clock while synchronised, else the last time it knew, saved
// beside the drift file) is near it, moved 1024 weeks forward when that time is near the moved
// date, and refused while nothing is known. A date far before the base (the 2019 rollover's
// 1999) is corrected as before.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
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
  std::uint64_t bad_date = 0;           // a date the calendar does not have
  std::uint64_t out_of_range = 0;       // 1024 weeks or more after the base date
  std::uint64_t near_base_refused = 0;  // a date just before the base, nothing to corroborate
  std::uint64_t near_base_as_is = 0;    // a date just before the base, the known time agrees
};

// A date this close before the base date is not taken for a week rollover on its word alone.
inline constexpr std::chrono::days kNearBase{183};

// What the appliance knows of the time, for judging a rollover: nullopt when nothing.
using KnownTime = std::function<std::optional<UtcTime>()>;

class NmeaTimeAssembler {
 public:
  // `bounded`: refuse dates 1024 weeks or more after the base (a live receiver); a replayed log
  // without a configured base keeps whatever dates it has.
  // `accept_estimated`: dead-reckoning solutions count as a fix (`fix estimated`).
  explicit NmeaTimeAssembler(std::chrono::sys_days base_date, bool bounded = true,
                             bool accept_estimated = false)
      : base_date_(base_date), bounded_(bounded), accept_estimated_(accept_estimated) {}

  std::optional<NmeaTime> on_sentence(const NmeaSentence& sentence);
  void know_time_by(KnownTime known) { known_time_ = std::move(known); }

  const NmeaTimeCounters& counters() const { return counters_; }
  std::chrono::sys_days base_date() const { return base_date_; }

 private:
  std::chrono::sys_days base_date_;
  bool bounded_;
  bool accept_estimated_;
  KnownTime known_time_;
  std::optional<std::chrono::sys_days> date_;  // as the receiver reported it, uncorrected
  std::optional<std::chrono::seconds> last_time_of_day_;
  bool last_fix_valid_ = false;  // ZDA says nothing of the fix: the cycle's RMC/GGA/GSA does
  NmeaTimeCounters counters_;
};

}  // namespace stratumd
