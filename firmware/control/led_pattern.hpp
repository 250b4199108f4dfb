// What the status LED says, as a blink pattern an operator can tell apart across a room: the
// appliance's state in, on/off durations out. Pure.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>

#include "firmware/clock/clock_snapshot.hpp"

namespace stratumd {

enum class LedState : std::uint8_t { fault, unsynchronised, locking, locked, holdover };

const char* to_string(LedState state);

// Alternating on and off durations, starting with on, repeated; one step that is on: steady.
struct LedPattern {
  std::array<std::chrono::milliseconds, 4> steps{};
  std::size_t count = 0;

  bool operator==(const LedPattern&) const = default;
};

// fault: fast blink (4 Hz); unsynchronised: a short flash every 2 s; locking: 1 Hz blink;
// locked: steady on; holdover: a double flash every 2 s.
LedPattern led_pattern(LedState state);

// `fault`: nothing to serve from, or a reference clock silent while the clock is neither locked
// nor holding over (a receiver unplugged, a wrong device, or gone beyond holdover).
LedState led_state(SyncState state, bool fault);

}  // namespace stratumd
