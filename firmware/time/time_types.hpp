// Instants and durations inside the daemon: signed 64-bit nanoseconds, tagged with the clock they
// were read from so that a kernel realtime stamp can never be mixed silently with served time.
#pragma once

#include <chrono>
#include <cstdint>

namespace stratumd {

using Nanoseconds = std::chrono::nanoseconds;

// The UTC timescale the daemon serves (Unix epoch, no leap seconds counted), as the disciplined
// clock reads it.
using UtcTime = std::chrono::sys_time<Nanoseconds>;

// The kernel's CLOCK_REALTIME as a kernel timestamp (SO_TIMESTAMPNS) reports it. Not necessarily
// disciplined by us: it is converted onto served time before use.
struct KernelRealtimeClock {
  using rep = std::int64_t;
  using period = std::nano;
  using duration = Nanoseconds;
  using time_point = std::chrono::time_point<KernelRealtimeClock, Nanoseconds>;
  static constexpr bool is_steady = false;
};
using KernelRealtime = KernelRealtimeClock::time_point;

// The free-running local counter the served clock is modelled on (CLOCK_MONOTONIC_RAW, or a
// simulated oscillator). Its epoch is arbitrary.
struct RawTimebaseClock {
  using rep = std::int64_t;
  using period = std::nano;
  using duration = Nanoseconds;
  using time_point = std::chrono::time_point<RawTimebaseClock, Nanoseconds>;
  static constexpr bool is_steady = true;
};
using RawTime = RawTimebaseClock::time_point;

constexpr double to_seconds(Nanoseconds d) {
  return static_cast<double>(d.count()) * 1e-9;
}

inline Nanoseconds from_seconds(double seconds) {
  return Nanoseconds{static_cast<std::int64_t>(seconds * 1e9 + (seconds >= 0 ? 0.5 : -0.5))};
}

}  // namespace stratumd
