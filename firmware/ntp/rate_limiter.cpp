#include "firmware/ntp/rate_limiter.hpp"

#include <algorithm>
#include <bit>

namespace stratumd {
namespace {

constexpr std::int64_t kNsPerSecond = 1'000'000'000;
constexpr std::int32_t kShift = 8;  // ntpd's NTP_SHIFT: the headway limit in average intervals

std::uint64_t hash_address(const IpAddress& a) {
  // FNV-1a then a final mix: cheap, and spreads 127.x.y.z floods over all sets.
  std::uint64_t h = 0xcbf29ce484222325ULL ^ static_cast<std::uint64_t>(a.family);
  for (const std::uint8_t b : a.bytes) h = (h ^ b) * 0x100000001b3ULL;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return h;
}

}  // namespace

RateLimiter::RateLimiter(DiscardParams params, std::size_t capacity)
    : params_(params),
      entries_(std::bit_ceil(std::max<std::size_t>(capacity, kWays))),
      set_mask_(entries_.size() / kWays - 1) {}

RateVerdict RateLimiter::check(const IpAddress& client, Nanoseconds now, bool kod) {
  const std::size_t set = (hash_address(client) & set_mask_) * kWays;
  Entry* entry = nullptr;
  Entry* oldest = &entries_[set];
  for (std::size_t i = set; i < set + kWays; ++i) {
    Entry& e = entries_[i];
    if (e.used && e.family == client.family && e.address == client.bytes) {
      entry = &e;
      break;
    }
    if (!e.used || (oldest->used && e.last_ns < oldest->last_ns)) oldest = &e;
  }
  const std::int64_t now_ns = now.count();
  if (!entry) {
    // A new client (or one evicted by newer ones) starts with a clean record, as in ntpd.
    if (oldest->used) ++counters_.evictions;
    *oldest = Entry{client.bytes, now_ns, 0, 0, client.family, true};
    return RateVerdict::pass;
  }

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

}  // namespace stratumd
