// A simulated local oscillator and the clock disciplined on it. Time advances only when the test
// (or the simulation) says so, which makes discipline tests exact and free of real sleeps.
#pragma once

#include <cstdint>
#include <random>

#include "firmware/clock/modelled_clock.hpp"

namespace stratumd {

struct OscillatorParams {
  double frequency_error_ppm = 0.0;      // constant part
  double white_fm = 0.0;                 // Allan deviation at 1 s from white frequency noise
  double random_walk_fm = 0.0;           // frequency random walk, ppm per sqrt(second)
  double temperature_swing_ppm = 0.0;    // amplitude of a temperature-driven sinusoid
  double temperature_period_s = 3600.0;  // its period
};

// Steers like the kernel's clock: frequencies in ADJ_FREQUENCY's 2^-16 ppm steps, effective at
// once; slews as temporary frequency offsets.
class SimClock final : public ModelledClock {
 public:
  SimClock(UtcTime true_start, Nanoseconds initial_offset, OscillatorParams oscillator,
           std::uint64_t seed = 1);

  // Moves true time forward; the oscillator is integrated in steps of at most a second.
  void advance(Nanoseconds dt);

  UtcTime true_time() const { return true_time_; }
  // Served minus true time: the error a perfect observer would measure.
  Nanoseconds time_error() const { return now() - true_time_; }
  // The oscillator's current fractional frequency error, in ppm.
  double oscillator_ppm() const { return current_ppm_; }

  RawTime raw_now() const override { return raw_; }

 private:
  OscillatorParams oscillator_;
  std::mt19937_64 rng_;
  std::normal_distribution<double> unit_normal_{0.0, 1.0};
  UtcTime true_start_;
  UtcTime true_time_;
  RawTime raw_{};
  double raw_fraction_ns_ = 0.0;  // sub-nanosecond remainder of the raw counter
  double random_walk_ppm_ = 0.0;
  double current_ppm_ = 0.0;
};

}  // namespace stratumd
