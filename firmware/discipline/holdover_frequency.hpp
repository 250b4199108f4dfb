// The frequency to hold when the samples stop. A tracking servo's frequency estimate follows
// the recent samples (a few minutes of them when the oscillator wanders little), so it carries
// their noise: a few ppb with 1 us PPS noise, microseconds after an hour of holdover. What the
// clock really needed over the last half hour is known better: the corrections it was given (its
// ledger) plus the change of the servo's offset estimate, divided by the time.
// Pure arithmetic on checkpoints the discipline takes as accepted samples come.
#pragma once

#include <array>
#include <cstddef>
#include <optional>

#include "firmware/clock/clock.hpp"

namespace stratumd {

class HoldoverFrequency {
 public:
  // Forgets the history (the clock was stepped, or the source changed).
  void clear() { count_ = 0; }
  // An accepted sample: at `at` (the clock's reading) the servo estimated `offset` (reference
  // minus clock, s), and the clock's ledger read `correction` (s).
  void add(UtcTime at, double offset, double correction);
  // The frequency correction (ppm, as Clock::set_frequency takes it) that would have held the
  // offset over the history kept; nullopt while it is shorter than the minimum span.
  std::optional<double> frequency_ppm() const;

 private:
  struct Checkpoint {
    UtcTime at{};
    double offset = 0.0;
    double correction = 0.0;
  };
  static constexpr std::size_t kCheckpoints = 64;

  std::array<Checkpoint, kCheckpoints> ring_{};
  std::size_t newest_ = 0;
  std::size_t count_ = 0;
};

}  // namespace stratumd
