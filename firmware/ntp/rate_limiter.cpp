#include "firmware/ntp/rate_limiter.hpp"

#include <algorithm>
#include <bit>

namespace stratumd {
namespace {

constexpr std::int64_t kNsPerSecond = 1'000'000'000;
constexpr std::int32_t kShift = 8;  // ntpd's NTP_SHIFT: the headway limit in average intervals

}  // namespace

RateLimiter::RateLimiter(DiscardParams params, std::size_t capacity)
    : params_(params),
      entries_(std::bit_ceil(std::max<std::size_t>(capacity, kWays))),
      set_mask_(entries_.size() / kWays - 1) {}

RateLimiter::Entry& RateLimiter::entry_for(const IpAddress& client, std::int64_t now_ns,
                                           bool& fresh) {
  const std::size_t set = static_cast<std::size_t>(address_hash(client) & set_mask_) * kWays;
  Entry* oldest = &entries_[set];
  for (std::size_t i = set; i < set + kWays; ++i) {
    Entry& e = entries_[i];
    if (e.used && e.family == client.family && e.address == client.bytes) {
      fresh = false;
      return e;
    }
    if (!e.used || (oldest->used && e.last_ns < oldest->last_ns)) oldest = &e;
  }
  // A new client (or one evicted by newer ones) starts with a clean record, as in ntpd.
  if (oldest->used) ++counters_.evictions;
  *oldest = Entry{client.bytes, now_ns, 0, 0, client.family, true};
  fresh = true;
  return *oldest;
}

RateVerdict RateLimiter::check(const IpAddress& client, Nanoseconds now, bool kod) {
  const std::int64_t now_ns = now.count();
  bool fresh = false;
  Entry* entry = &entry_for(client, now_ns, fresh);
  if (fresh) return RateVerdict::pass;

  // ntpd's leaky bucket (ntp_monitor.c): the debt drains with elapsed whole seconds; each
  // packet adds one average interval; beyond kShift intervals, or closer than `minimum`, the
  // packet is limited.
  const auto interval_s = static_cast<std::int32_t>(
      std::min<std::int64_t>((now_ns - entry->last_ns) / kNsPerSecond, 1 << 30));
  entry->last_ns = now_ns;
  const std::int32_t head = std::int32_t{1} << params_.average_log2;
  entry->leak_s = std::max(0, entry->leak_s - interval_s);
  const std::int32_t leak = entry->leak_s + head;
  if (interval_s + 1 >= params_.minimum_s && leak < kShift * head) {
    entry->leak_s = leak - 2;
    return RateVerdict::pass;
  }
  // Bounded so a client that never stops cannot overflow its debt.
  entry->leak_s = std::min(entry->leak_s + head, 4 * kShift * head);
  ++counters_.limited;
  if (kod && (entry->last_kod_ns == 0 || now_ns - entry->last_kod_ns >= head * kNsPerSecond)) {
    entry->last_kod_ns = now_ns;
    ++counters_.kod_sent;
    return RateVerdict::limited_send_kod;
  }
  return RateVerdict::limited;
}

RateVerdict RateLimiter::check_burst(const IpAddress& client, Nanoseconds now, int burst,
                                     int per_second) {
  const std::int64_t now_ns = now.count();
  bool fresh = false;
  Entry& entry = entry_for(client, now_ns, fresh);
  // The debt in ms drains in real time; each packet adds its share of a second.
  const std::int64_t cost_ms = 1000 / std::max(per_second, 1);
  // Only whole milliseconds are drained, so packets closer together still drain in the end.
  const std::int64_t drained_ms = std::max<std::int64_t>(0, now_ns - entry.last_ns) / 1'000'000;
  entry.last_ns += drained_ms * 1'000'000;
  entry.leak_s = static_cast<std::int32_t>(std::max<std::int64_t>(0, entry.leak_s - drained_ms));
  if (entry.leak_s + cost_ms > burst * cost_ms) {
    ++counters_.limited;
    return RateVerdict::limited;  // no debt added: a flood is held at the average rate
  }
  entry.leak_s = static_cast<std::int32_t>(entry.leak_s + cost_ms);
  return RateVerdict::pass;
}

}  // namespace stratumd
