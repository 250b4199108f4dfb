#include "firmware/time/ntp_timestamp.hpp"

#include <limits>

namespace stratumd {
namespace {

constexpr std::int64_t kNsPerSecond = 1'000'000'000;
constexpr std::int64_t kEraSeconds = std::int64_t{1} << 32;

// Floor division for a positive divisor, correct for negative dividends (dates before 1970).
constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

}  // namespace

std::uint64_t nanoseconds_to_fraction32(std::uint32_t ns) {
  return ((std::uint64_t{ns} << 32) + kNsPerSecond / 2) / kNsPerSecond;
}

std::uint32_t fraction32_to_nanoseconds(std::uint32_t fraction) {
  return static_cast<std::uint32_t>((std::uint64_t{fraction} * kNsPerSecond + (1ULL << 31)) >> 32);
}

NtpTimestamp NtpTimestamp::from_utc(UtcTime t) {
  const std::int64_t ns = t.time_since_epoch().count();
  std::int64_t unix_seconds = floor_div(ns, kNsPerSecond);
  const auto sub_ns = static_cast<std::uint32_t>(ns - unix_seconds * kNsPerSecond);
  std::uint64_t fraction = nanoseconds_to_fraction32(sub_ns);
  if (fraction >> 32) {  // rounded up to a whole second
    fraction = 0;
    ++unix_seconds;
  }
  const std::int64_t ntp_seconds = unix_seconds + kNtpUnixEpochOffsetSeconds;
  // The era is implicit: keep the low 32 bits (two's complement wraps pre-1900 correctly).
  const auto wire_seconds = static_cast<std::uint32_t>(static_cast<std::uint64_t>(ntp_seconds));
  return NtpTimestamp{wire_seconds, static_cast<std::uint32_t>(fraction)};
}

std::int64_t NtpTimestamp::era_of(UtcTime t) {
  const std::int64_t unix_seconds = floor_div(t.time_since_epoch().count(), kNsPerSecond);
  return floor_div(unix_seconds + kNtpUnixEpochOffsetSeconds, kEraSeconds);
}

UtcTime NtpTimestamp::to_utc(UtcTime pivot) const {
  const std::int64_t pivot_ntp_seconds =
      floor_div(pivot.time_since_epoch().count(), kNsPerSecond) + kNtpUnixEpochOffsetSeconds;
  // Choose the era so that the result lies within half an era of the pivot.
  const std::int64_t pivot_era = floor_div(pivot_ntp_seconds, kEraSeconds);
  std::int64_t ntp_seconds = pivot_era * kEraSeconds + seconds();
  if (ntp_seconds - pivot_ntp_seconds > kEraSeconds / 2) {
    ntp_seconds -= kEraSeconds;
  } else if (pivot_ntp_seconds - ntp_seconds > kEraSeconds / 2) {
    ntp_seconds += kEraSeconds;
  }
  const std::int64_t unix_seconds = ntp_seconds - kNtpUnixEpochOffsetSeconds;
  return UtcTime{Nanoseconds{unix_seconds * kNsPerSecond + fraction32_to_nanoseconds(fraction())}};
}

NtpShort NtpShort::from_duration_ceil(Nanoseconds d) {
  const std::int64_t ns = d.count();
  if (ns <= 0) return NtpShort{0};
  constexpr std::int64_t kMaxNs = (std::int64_t{1} << 16) * kNsPerSecond;
  if (ns >= kMaxNs) return NtpShort{std::numeric_limits<std::uint32_t>::max()};
  const auto units = static_cast<std::uint64_t>((ns * 65536 + kNsPerSecond - 1) / kNsPerSecond);
  return NtpShort{units > std::numeric_limits<std::uint32_t>::max()
                      ? std::numeric_limits<std::uint32_t>::max()
                      : static_cast<std::uint32_t>(units)};
}

NtpShort NtpShort::from_duration(Nanoseconds d) {
  const std::int64_t ns = d.count();
  if (ns <= 0) return NtpShort{0};
  // 16.16 units: ns * 65536 / 1e9, rounded; saturate beyond 65535.99998 s.
  constexpr std::int64_t kMaxNs = (std::int64_t{1} << 16) * kNsPerSecond;
  if (ns >= kMaxNs) return NtpShort{std::numeric_limits<std::uint32_t>::max()};
  // ns < 2^16 * 1e9, so ns * 2^16 < 2^63: no overflow.
  const auto units = static_cast<std::uint64_t>((ns * 65536 + kNsPerSecond / 2) / kNsPerSecond);
  return NtpShort{units > std::numeric_limits<std::uint32_t>::max()
                      ? std::numeric_limits<std::uint32_t>::max()
                      : static_cast<std::uint32_t>(units)};
}

Nanoseconds NtpShort::to_duration() const {
  return Nanoseconds{static_cast<std::int64_t>((std::uint64_t{raw_} * kNsPerSecond + 32768) >> 16)};
}

}  // namespace stratumd
