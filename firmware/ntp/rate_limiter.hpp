// ntpd's `discard average A minimum M` rate control over a fixed-size table of recent clients:
// its bound is set at construction and memory stays within it whatever the number of sources
// (a flood from a million addresses evicts the oldest entries). One table per server worker, so
// no locks.
#pragma once

#include <array>
#include <cstdint>

#include "firmware/net/ip_address.hpp"
#include "firmware/time/time_types.hpp"
#include "firmware/util/zeroed_table.hpp"

namespace stratumd {

struct DiscardParams {
  int average_log2 = 3;  // minimum average interval between packets, log2 s (ntpd default 8 s)
  int minimum_s = 2;     // minimum interval between two packets, s
  int monitor = 3000;    // accepted for compatibility; the table is always on and bounded
};

enum class RateVerdict : std::uint8_t { pass, limited, limited_send_kod };

struct RateLimiterCounters {
  std::uint64_t evictions = 0;
  std::uint64_t limited = 0;
  std::uint64_t kod_sent = 0;
};

class RateLimiter {
 public:
  static constexpr std::size_t kWays = 4;
  explicit RateLimiter(DiscardParams params = {}, std::size_t capacity = 16384);

  // `now` on a monotonic clock. `kod` true when the client's restrict entry has the kod flag: a
  // RATE kiss is then answered at most once per average interval per client, and dropped otherwise.
  RateVerdict check(const IpAddress& client, Nanoseconds now, bool kod);

  // A plain token bucket per client (for mode 6, where ntpd's intervals would stop `ntpq -p`):
  // `burst` packets at once, then `per_second` on average. `pass` or `limited`.
  RateVerdict check_burst(const IpAddress& client, Nanoseconds now, int burst, int per_second);

  const DiscardParams& params() const { return params_; }
  void set_params(const DiscardParams& params) { params_ = params; }
  std::size_t capacity() const { return entries_.size(); }
  std::size_t memory_bytes() const { return entries_.size() * sizeof(Entry); }
  const RateLimiterCounters& counters() const { return counters_; }

 private:
  // All-zero bytes is the empty entry (IpFamily::v4 is 0): the table is a ZeroedTable.
  struct Entry {
    std::array<std::uint8_t, 16> address{};
    std::int64_t last_ns = 0;
    std::int64_t last_kod_ns = 0;
    std::int32_t leak_s = 0;  // ntpd's "leak": headway debt in seconds (check_burst: in ms)
    IpFamily family = IpFamily::v4;
    bool used = false;
  };

  // The client's entry, or a fresh one in place of the oldest of its set (`fresh` then true).
  Entry& entry_for(const IpAddress& client, std::int64_t now_ns, bool& fresh);

  DiscardParams params_;
  ZeroedTable<Entry> entries_;
  std::size_t set_mask_;
  RateLimiterCounters counters_;
};

}  // namespace stratumd
