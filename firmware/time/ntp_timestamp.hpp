// NTP's fixed-point wire formats (RFC 5905 section 6): exact integer conversions, no floats.
#pragma once

#include <cstdint>

#include "firmware/time/time_types.hpp"

namespace stratumd {

// Seconds from 1900-01-01 (NTP era 0 start) to 1970-01-01 (Unix epoch).
inline constexpr std::int64_t kNtpUnixEpochOffsetSeconds = 2'208'988'800;

// 32.32 unsigned seconds since the start of the current NTP era. The era number is not on the
// wire: it is recovered against a pivot time (the local clock) that is within 68 years.
class NtpTimestamp {
 public:
  constexpr NtpTimestamp() = default;
  constexpr explicit NtpTimestamp(std::uint64_t raw) : raw_(raw) {}
  constexpr NtpTimestamp(std::uint32_t seconds, std::uint32_t fraction)
      : raw_((std::uint64_t{seconds} << 32) | fraction) {}

  // Converts an instant to the wire format; the fraction is rounded to the nearest 2^-32 s.
  static NtpTimestamp from_utc(UtcTime t);

  // The instant this timestamp denotes in the era that puts it closest to `pivot`.
  UtcTime to_utc(UtcTime pivot) const;

  // Era of an instant: 0 for 1900-02-07, 1 for 2036-02-07-2172, -1 before 1900.
  static std::int64_t era_of(UtcTime t);

  constexpr std::uint64_t raw() const { return raw_; }
  constexpr std::uint32_t seconds() const { return static_cast<std::uint32_t>(raw_ >> 32); }
  constexpr std::uint32_t fraction() const { return static_cast<std::uint32_t>(raw_); }
  constexpr bool is_zero() const { return raw_ == 0; }

  friend constexpr bool operator==(NtpTimestamp, NtpTimestamp) = default;

 private:
  std::uint64_t raw_ = 0;
};

// 16.16 unsigned seconds: root delay and root dispersion.
class NtpShort {
 public:
  constexpr NtpShort() = default;
  constexpr explicit NtpShort(std::uint32_t raw) : raw_(raw) {}

  // Rounded to the nearest 2^-16 s; negative durations become 0, overlong ones saturate.
  static NtpShort from_duration(Nanoseconds d);
  // Rounded up: for error bounds (root dispersion), which must never be announced smaller.
  static NtpShort from_duration_ceil(Nanoseconds d);
  Nanoseconds to_duration() const;

  constexpr std::uint32_t raw() const { return raw_; }
  friend constexpr bool operator==(NtpShort, NtpShort) = default;

 private:
  std::uint32_t raw_ = 0;
};

// Converts a fraction of a second in nanoseconds [0, 1e9) to 2^-32 units, rounding to nearest.
// A result of 2^32 (from 999'999'999.9 ns) is reported so the caller can carry into the seconds.
std::uint64_t nanoseconds_to_fraction32(std::uint32_t ns);
std::uint32_t fraction32_to_nanoseconds(std::uint32_t fraction);

}  // namespace stratumd
