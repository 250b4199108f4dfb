// The NMEA reference clock, sans I/O: sentences in, one time label per second out (named by the
// first selected sentence of each cycle, stamped with when its '$' arrived), plus the NMEA-only
// sample for when no PPS numbers the seconds, corrected by the learnt or configured delay.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>

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
  bool dates_bounded = true;  // dates 1024 weeks or more after the base are refused
};

struct NmeaRefclockCounters {
  std::array<std::uint64_t, 9> by_status{};  // indexed by NmeaStatus
  std::uint64_t labels = 0;
  std::uint64_t no_fix = 0;
  std::uint64_t went_backwards = 0;  // a second earlier than one already labelled
  std::uint64_t leap_second_skipped = 0;
};

// A label and where it came from, for calibration and NMEA-only samples.
struct NmeaLabel {
  TimeLabel label;
  NmeaType type = NmeaType::other;
};

class NmeaRefclock {
 public:
  using LabelSink = std::function<void(const NmeaLabel&)>;
  NmeaRefclock(NmeaRefclockConfig config, LabelSink sink);

  void on_line(const NmeaLine& line);

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

  NmeaRefclockConfig config_;
  LabelSink sink_;
  NmeaTimeAssembler assembler_;
  int satellites_used_ = -1;
  NmeaDelayCalibrator calibrator_;
  std::optional<std::int64_t> last_labelled_second_;
  NmeaRefclockCounters counters_;
};

}  // namespace stratumd
