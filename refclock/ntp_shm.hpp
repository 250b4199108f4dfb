// ntpd's shared-memory reference clock (type 28): the segment layout gpsd and other time sources
// write, and the checks ntpd applies to a sample read from it.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>

#include "firmware/time/time_types.hpp"

namespace stratumd {

// The layout of struct shmTime in ntpd's refclock_shm.c; do not reorder.
struct NtpShmTime {
  int mode;  // 0: use when valid; 1: also require count unchanged across the read
  int count;
  time_t clock_seconds;  // the reference's time
  int clock_microseconds;
  time_t receive_seconds;  // the local system clock when it was taken
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
