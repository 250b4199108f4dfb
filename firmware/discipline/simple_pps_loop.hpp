// A small first discipline: a proportional-integral phase-locked loop on 1 s PPS samples, with a
// step on start, a one-shot frequency estimate and a plain state machine. It stands in until the
// full PLL/FLL servos and holdover logic replace it; it only talks to the Clock interface.
#pragma once

#include <cstdint>
#include <optional>

#include "firmware/clock/clock.hpp"
#include "firmware/clock/clock_snapshot.hpp"
#include "refclock/ref_sample.hpp"

namespace stratumd {

struct SimpleLoopParams {
  Nanoseconds step_threshold = std::chrono::milliseconds{128};  // ntpd's tinker step
  Nanoseconds lock_threshold = std::chrono::microseconds{100};
  int samples_to_lock = 4;
  double proportional_gain = 0.25;
  double integral_gain = 0.0156;                            // about gain^2/4: critically damped
  Nanoseconds holdover_after = std::chrono::seconds{5};     // no sample for this long
  Nanoseconds holdover_limit = std::chrono::seconds{3600};  // then unsynchronised
  int max_consecutive_outliers = 3;
  // No oscillator is this far off (ntpd's limit too): an estimate beyond it means the samples
  // are inconsistent, not the crystal.
  double max_frequency_ppm = 500.0;
};

// For NMEA-only samples: serial timing jitters by milliseconds, so thresholds are wider and the
// loop slower.
SimpleLoopParams nmea_only_loop_params();

struct LoopStatus {
  SyncState state = SyncState::unsynchronised;
  Nanoseconds last_offset{0};
  Nanoseconds jitter{0};  // RMS of recent offsets
  double frequency_ppm = 0.0;
  std::uint64_t samples = 0;
  std::uint64_t outliers = 0;
  std::uint64_t steps = 0;
  std::optional<UtcTime> last_update;
  LeapIndicator leap = LeapIndicator::none;
};

class SimplePpsLoop {
 public:
  SimplePpsLoop(Clock& clock, SimpleLoopParams params = {});

  void on_sample(const RefSample& sample);
  // Switches gains and thresholds (PPS vs NMEA-only samples), keeping the learnt frequency.
  void set_params(const SimpleLoopParams& params);
  // Advances the state machine with the passage of time (holdover, loss of sync).
  void on_tick(UtcTime now);

  const LoopStatus& status() const { return status_; }

  // The discipline's contribution to the server's snapshot.
  void fill_snapshot(ClockSnapshot& snapshot, std::uint32_t reference_id) const;

 private:
  void restart_from(const RefSample& sample);

  Clock& clock_;
  SimpleLoopParams params_;
  LoopStatus status_;
  int good_in_a_row_ = 0;
  int outliers_in_a_row_ = 0;
  std::optional<RefSample> frequency_anchor_;  // first sample after a step, for the FLL estimate
};

}  // namespace stratumd
