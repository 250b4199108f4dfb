#include "refclock/ntp_shm.hpp"

namespace stratumd {
namespace {

constexpr std::int64_t kNs = 1'000'000'000;

// Newer writers fill the nanosecond fields; older ones only microseconds. ntpd prefers the
// nanoseconds when they agree with the microseconds.
std::int64_t nanoseconds_of(int microseconds, unsigned nanoseconds) {
  if (nanoseconds < kNs && static_cast<int>(nanoseconds / 1000) == microseconds) return nanoseconds;
  return std::int64_t{microseconds} * 1000;
}

}  // namespace

ShmDecode decode_shm_time(const NtpShmTime& c, int count_before, int count_after,
                          std::optional<Nanoseconds> max_difference) {
  ShmDecode d;
  if (!c.valid) return d;
  if (c.mode == 1 && count_before != count_after) {
    d.status = ShmStatus::torn;
    return d;
  }
  if (c.clock_microseconds < 0 || c.clock_microseconds >= 1'000'000 || c.receive_microseconds < 0 ||
      c.receive_microseconds >= 1'000'000) {
    d.status = ShmStatus::bad_values;
    return d;
  }
  d.sample.reference =
      UtcTime{Nanoseconds{std::int64_t{c.clock_seconds} * kNs +
                          nanoseconds_of(c.clock_microseconds, c.clock_nanoseconds)}};
  d.sample.received =
      KernelRealtime{Nanoseconds{std::int64_t{c.receive_seconds} * kNs +
                                 nanoseconds_of(c.receive_microseconds, c.receive_nanoseconds)}};
  d.sample.precision = c.precision;
  d.sample.leap = c.leap;
  const Nanoseconds difference =
      d.sample.reference.time_since_epoch() - d.sample.received.time_since_epoch();
  if (max_difference && (difference > *max_difference || -difference > *max_difference)) {
    d.status = ShmStatus::too_far;
    return d;
  }
  d.status = ShmStatus::ok;
  return d;
}

}  // namespace stratumd
