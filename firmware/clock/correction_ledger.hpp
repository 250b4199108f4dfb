// What a clock's steering has added to its reading, as a function of time: the frequency
// correction and the slews, piece by piece (the steps excepted). The servos judge each sample
// against exactly what was applied since the one before — when a frequency change really took
// effect (at the call, not at the sample it came from) and how much of a slew is done — so their
// model of the actuator is the actuator (chrony keeps the same account in its local clock).
// Pure arithmetic; a short ring of pieces, which covers the few seconds a sample may be late.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "firmware/time/time_types.hpp"

namespace stratumd {

class CorrectionLedger {
 public:
  // A rate the clock will return to by itself at a known time (the end of a slew).
  struct Scheduled {
    UtcTime at;
    double rate = 0.0;
  };

  // Forgets the history: the clock was stepped (a servo starts over after a step).
  void restart(UtcTime at, double rate);
  // From `at` (as the clock reads) the clock gains `rate` seconds per second of its own reading
  // over its oscillator (a clock set 500 ppm fast on its oscillator gains 500e-6 / (1 + 500e-6)),
  // and, when `then` is given, `then->rate` from `then->at` on. Replaces whatever was scheduled
  // after `at`.
  void change(UtcTime at, double rate, std::optional<Scheduled> then = std::nullopt);
  // The correction applied from an arbitrary origin up to `t`, in seconds; differences of two
  // readings are what the clock added between them. Before the oldest piece kept, extrapolated.
  double at(UtcTime t) const;
  // The rate in effect at `t`.
  double rate_at(UtcTime t) const;

 private:
  struct Piece {
    UtcTime start{};
    double rate = 0.0;
    double total = 0.0;  // the correction at `start`
  };
  static constexpr std::size_t kPieces = 32;

  const Piece& piece_for(UtcTime t) const;
  void append(UtcTime start, double rate);

  std::array<Piece, kPieces> pieces_{};
  std::size_t newest_ = 0;
  std::size_t count_ = 1;  // one piece of rate 0 from the epoch until told otherwise
};

}  // namespace stratumd
