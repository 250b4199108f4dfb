// Reads of the kernel's clocks as strong time types.
#pragma once

#include <time.h>

#include "firmware/clock/raw_timebase.hpp"
#include "firmware/time/time_types.hpp"

namespace stratumd {

// Out of line: on 32-bit targets the files that share libgps' or libgpiod 1.x's 32-bit timespec
// include this header too, and an inline copy of a timespec read there would not survive 2038.
std::int64_t read_clock_ns(clockid_t id);

inline KernelRealtime kernel_realtime_now() {
  return KernelRealtime{Nanoseconds{read_clock_ns(CLOCK_REALTIME)}};
}

// A packet's kernel stamp (CLOCK_REALTIME) carried onto the served clock by its age: `served_now`
// and `realtime_now` read together. Microseconds of age, so the rate between the two clocks does
// not matter here (reference clocks' stamps, seconds old, go through KernelStamps instead).
inline UtcTime served_at(KernelRealtime stamp, UtcTime served_now, KernelRealtime realtime_now) {
  return served_now - (realtime_now - stamp);
}

// CLOCK_MONOTONIC_RAW: the undisciplined hardware counter, never slewed by anyone.
class MonotonicRawTimebase final : public RawTimebase {
 public:
  RawTime raw_now() const override {
    return RawTime{Nanoseconds{read_clock_ns(CLOCK_MONOTONIC_RAW)}};
  }
};

}  // namespace stratumd
