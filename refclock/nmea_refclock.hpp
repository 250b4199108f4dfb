// The NMEA reference clock, sans I/O: sentences in, one time label per second out (named by the
// first selected sentence of each cycle, stamped with when its '$' arrived), plus the NMEA-only
// sample for when no PPS numbers the seconds, corrected by the learnt or configured delay.
//
// Never a wrong second: the labels keep a running count (the last label plus the whole seconds
// since it arrived). A sentence that disagrees with it is not believed at once (one sentence a day
// ahead would otherwise deafen the clock to every true second after it) and not ignored forever:
// a new count is believed once it has held for kSecondsToBelieveAJump cycles in a row, logged
// with both times. Sentences of one cycle that disagree with each other (GP and GN talkers a
// second apart) stop the labels until a cycle where they agree.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "refclock/nmea_delay_calibrator.hpp"
#include "refclock/nmea_line_assembler.hpp"
#include "refclock/nmea_time.hpp"
#include "refclock/ref_sample.hpp"

namespace stratumd {

struct NmeaRefclockConfig {
  std::chrono::sys_days base_date;
  // ntpd's mode bits: 1 RMC, 2 GGA, 4 GLL, 8 ZDA; 0 takes them all (and GNS).
  unsigned sentence_mask = 0;
  Nanoseconds configured_delay{0};  // ntpd's fudge time2: the sentence's lateness after the second
  bool use_learnt_delay = true;
  bool dates_bounded = true;          // dates 1024 weeks or more after the base are refused
  bool accept_estimated_fix = false;  // `fix estimated`
};

struct NmeaRefclockCounters {
  std::array<std::uint64_t, 9> by_status{};  // indexed by NmeaStatus
  std::uint64_t labels = 0;
  std::uint64_t no_fix = 0;
  std::uint64_t went_backwards = 0;    // a second earlier than the running count
  std::uint64_t unconfirmed = 0;       // seconds off the running count, not (yet) believed
  std::uint64_t jumps = 0;             // new counts believed after persisting
  std::uint64_t talkers_disagree = 0;  // sentences naming another second within one cycle
  std::uint64_t leap_second_skipped = 0;
};

// A label and where it came from, for calibration and NMEA-only samples.
struct NmeaLabel {
  TimeLabel label;
  NmeaType type = NmeaType::other;
};

inline constexpr int kSecondsToBelieveAJump = 3;

class NmeaRefclock {
 public:
  using Log = std::function<void(const std::string&)>;
  using LabelSink = std::function<void(const NmeaLabel&)>;
  NmeaRefclock(NmeaRefclockConfig config, LabelSink sink, Log log = {});

  void on_line(const NmeaLine& line);
  // The served clock, on which sentences are stamped, was stepped by `by`: the running count
  // moves with it (a step of ours is not a jump of the receiver's).
  void clock_stepped(Nanoseconds by);
  // What the appliance knows of the time, against which a date just before the base is judged.
  void know_time_by(KnownTime known) { assembler_.know_time_by(std::move(known)); }

  // The sample an NMEA label gives on its own: the sentence started `delay` after the second it
  // names. nullopt without a fix.
  std::optional<RefSample> nmea_only_sample(const NmeaLabel& label) const;
  Nanoseconds delay_for(NmeaType type) const;

  NmeaDelayCalibrator& calibrator() { return calibrator_; }
  const NmeaRefclockCounters& counters() const { return counters_; }
  // Satellites used in the solution, from the last GGA or GNS; -1 before any.
  int satellites_used() const { return satellites_used_; }
  const NmeaTimeAssembler& times() const { return assembler_; }

 private:
  bool selected(NmeaType type) const;
  // Whether `second`, arriving at `arrival`, continues the running count (or, off it, has now
  // persisted long enough to become it).
  bool believe(std::int64_t second, UtcTime arrival);
  void say(const std::string& line) const {
    if (log_) log_(line);
  }

  NmeaRefclockConfig config_;
  LabelSink sink_;
  NmeaTimeAssembler assembler_;
  int satellites_used_ = -1;
  NmeaDelayCalibrator calibrator_;
  struct Count {
    std::int64_t second = 0;  // the second last named
    UtcTime arrival;          // when its sentence arrived
    int cycles = 1;           // cycles in a row that kept this count
  };
  std::optional<Count> believed_;   // the running count
  std::optional<Count> candidate_;  // a different count, not believed yet
  // The cycle being read: the sentences within half a second of its first name one second.
  std::optional<UtcTime> cycle_start_;
  std::int64_t cycle_second_ = 0;
  bool cycle_disagreed_ = false;
  int said_near_base_ = 0;  // what was said last: 1 taken as it is, 2 refused
  void say_near_base(const NmeaTimeCounters& before);
  Log log_;
  NmeaRefclockCounters counters_;
};

}  // namespace stratumd
