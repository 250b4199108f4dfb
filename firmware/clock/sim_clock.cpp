#include "firmware/clock/sim_clock.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace stratumd {

SimClock::SimClock(UtcTime true_start, Nanoseconds initial_offset, OscillatorParams oscillator,
                   std::uint64_t seed)
    : ModelledClock(RawTime{}, true_start + initial_offset, kKernelFrequencyQuantumPpm),
      oscillator_(oscillator),
      rng_(seed),
      true_start_(true_start),
      true_time_(true_start),
      current_ppm_(oscillator.frequency_error_ppm) {}

void SimClock::advance(Nanoseconds dt) {
  constexpr std::int64_t kStepNs = 1'000'000'000;
  std::int64_t left = dt.count();
  while (left > 0) {
    const std::int64_t step_ns = std::min(left, kStepNs);
    const double step_s = static_cast<double>(step_ns) * 1e-9;
    random_walk_ppm_ += oscillator_.random_walk_fm * std::sqrt(step_s) * unit_normal_(rng_);
    const double elapsed_s = to_seconds(true_time_ - true_start_);
    const double temperature_ppm =
        oscillator_.temperature_swing_ppm *
        std::sin(2.0 * std::numbers::pi * elapsed_s / oscillator_.temperature_period_s);
    current_ppm_ = oscillator_.frequency_error_ppm + random_walk_ppm_ + temperature_ppm;
    // White FM: a frequency that is random over each step, i.e. a phase random walk.
    const double white_ppm = oscillator_.white_fm * 1e6 / std::sqrt(step_s) * unit_normal_(rng_);
    raw_fraction_ns_ += static_cast<double>(step_ns) * (1.0 + (current_ppm_ + white_ppm) * 1e-6);
    const double whole = std::floor(raw_fraction_ns_);
    raw_ += Nanoseconds{static_cast<std::int64_t>(whole)};
    raw_fraction_ns_ -= whole;
    true_time_ += Nanoseconds{step_ns};
    left -= step_ns;
  }
}

}  // namespace stratumd
