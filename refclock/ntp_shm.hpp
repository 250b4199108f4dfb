// ntpd's shared-memory reference clock (type 28): the segment layout gpsd and other time sources
// write, and the checks ntpd applies to a sample read from it.
#pragma once

#include <cstdint>
#include <optional>
#include <type_traits>

#include "firmware/time/time_types.hpp"

namespace stratumd {

// The writer's time_t (gpsd's, ntpd's): the size the system's libraries were built with, which on
// a 32-bit Debian 12 is 32 bits even though stratumd itself is built with 64-bit time.
#ifndef STRATUMD_SYSTEM_TIME_BITS
#error "CMakeLists.txt defines STRATUMD_SYSTEM_TIME_BITS"
#endif
using ShmSeconds = std::conditional_t<STRATUMD_SYSTEM_TIME_BITS == 64, std::int64_t, std::int32_t>;

// The layout of struct shmTime in ntpd's refclock_shm.c; do not reorder.
struct NtpShmTime {
  int mode;  // 0: use when valid; 1: also require count unchanged across the read
  int count;
  ShmSeconds clock_seconds;  // the reference's time
  int clock_microseconds;
  ShmSeconds receive_seconds;  // the local system clock when it was taken
  int receive_microseconds;
  int leap;
  int precision;
  int nsamples;
  int valid;
  unsigned clock_nanoseconds;
  unsigned receive_nanoseconds;
  int dummy[8];
};

inline constexpr std::uint32_t kNtpShmKeyBase = 0x4E545030;  // "NTP0"

enum class ShmStatus { ok, not_valid, torn, too_far, bad_values };

struct ShmSample {
  UtcTime reference;        // what the clock said
  KernelRealtime received;  // the system clock at that moment
  int precision = 0;
  int leap = 0;
};

struct ShmDecode {
  ShmStatus status = ShmStatus::not_valid;
  ShmSample sample;
};

// Checks a copy of the segment taken between two reads of `count`. `max_difference` is ntpd's
// time2 (default 4 h); nullopt (flag1) skips that check.
ShmDecode decode_shm_time(const NtpShmTime& copy, int count_before, int count_after,
                          std::optional<Nanoseconds> max_difference);

}  // namespace stratumd
