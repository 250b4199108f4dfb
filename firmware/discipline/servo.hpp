// Servos turn offset samples into clock corrections, as linuxptp's servo objects do: arithmetic
// on offsets and times. They never steer the clock themselves; the discipline applies what they
// return. They read the clock's ledger, which says what was really applied and when (a frequency
// takes effect when it is set, not at the sample it came from; a slew takes its time), so a
// servo's prediction of its next sample is exact whatever the actuator.
#pragma once

#include "firmware/clock/clock.hpp"
#include "firmware/time/time_types.hpp"

namespace stratumd {

struct ServoCorrection {
  bool accepted = false;       // false: judged an outlier, nothing to apply
  double frequency_ppm = 0.0;  // absolute frequency correction to set
  Nanoseconds slew{0};         // phase to slew out now, replacing any slew in progress,
  Nanoseconds slew_duration{std::chrono::seconds{1}};  // over this long
};

// What a servo knows about the clock it steers; feeds dispersion, stats files and status.
struct ServoEstimate {
  double offset = 0.0;  // estimated offset (reference minus clock, s) at the last sample
  double frequency_ppm = 0.0;
  double frequency_sd_ppm = 0.0;     // one-sigma uncertainty of that frequency
  Nanoseconds jitter{0};             // RMS measurement noise seen on the samples
  double wander_ppm = 0.0;           // frequency stability: RMS change per update (ntpd's wander)
  double random_walk = 0.0;          // frequency diffusion (1/s): phase error grows as t^1.5
  double phase_diffusion = 0.0;      // white frequency noise (s^2/s): phase error grows as t^0.5
  int poll_log2 = 0;                 // the time constant's poll exponent (1 s samples: 0)
  bool frequency_measuring = false;  // still measuring it (ntpd's FREQ state): not applied yet
};

class Servo {
 public:
  virtual ~Servo() = default;
  virtual const char* name() const = 0;
  // Starts over at `at`, right after the discipline set the clock's phase from a sample: the
  // clock's frequency is in effect; `frequency_known` says whether it is trusted (a drift file,
  // an earlier lock).
  virtual void reset(const Clock& clock, bool frequency_known, UtcTime at) = 0;
  // Takes over at `at` a clock another servo kept: its phase known to `offset_sd` (s) and the
  // frequency in effect to `frequency_sd_ppm`, as that servo knew them (grown since its last
  // sample), so the first samples of another source do not move it by their own noise.
  virtual void take_over(const Clock& clock, UtcTime at, double offset_sd,
                         double frequency_sd_ppm) = 0;
  // Starts over on a clock that was not set: at `at` it is off by about `offset` (one sample's
  // word), and the servo estimates it before the discipline sets it.
  virtual void reset_unset(const Clock& clock, bool frequency_known, UtcTime at,
                           Nanoseconds offset) = 0;
  // `offset` is reference minus `clock` at `at`, as `clock` read it (the servos work on the
  // clock's own time axis, where its ledger is kept); samples come in time order. The
  // correction is applied to `clock` right after, at its now(). `variance` (s^2): the sample's
  // own error when its source knows it (a network sample's, from its delay); 0: unknown.
  virtual ServoCorrection sample(Nanoseconds offset, UtcTime at, const Clock& clock,
                                 double variance) = 0;
  ServoCorrection sample(Nanoseconds offset, UtcTime at, const Clock& clock) {
    return sample(offset, at, clock, 0.0);
  }
  virtual ServoEstimate estimate() const = 0;
  // The discipline stepped `clock` by `step` right after the last sample, on the servo's own
  // estimate: what the servo learnt stays (the offset moves by the step, the frequency is kept).
  virtual void clock_stepped(Nanoseconds step, const Clock& clock) = 0;
};

// No oscillator is further off than this (ntpd's limit as well): a servo never asks for more.
inline constexpr double kMaxFrequencyPpm = 500.0;

}  // namespace stratumd
