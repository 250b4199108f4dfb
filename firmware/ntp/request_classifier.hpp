// What a datagram on the server port is and whether it may go further: the one place where a
// source's restrict flags are looked up and where mode 6's access checks are made. Time requests
// and association packets go on to the responder (responder.hpp) with the flags found here; mode
// 6 to the control answers (firmware/control). Pure; no allocation, no exceptions.
#pragma once

#include <atomic>
#include <cstdint>
#include <span>

#include "firmware/ntp/rate_limiter.hpp"
#include "firmware/ntp/responder.hpp"
#include "firmware/ntp/restrict_table.hpp"

namespace stratumd {

enum class RequestClass : std::uint8_t {
  dropped,       // `outcome` says why
  control,       // mode 6, allowed and within its rate
  for_responder  // time requests, association packets, and whatever the responder refuses
};

struct ClassifiedRequest {
  RequestClass kind = RequestClass::dropped;
  RequestOutcome outcome = RequestOutcome::dropped_malformed;  // when dropped
  std::uint32_t restrict_flags = 0;
};

// A mode 6 reply is up to ~35 times its request: from any other host (a spoofed source is a
// victim) replies are held to this many at once and this many a second on average, `limited` or
// not. ntpd's intervals (one per 8 s) would stop `ntpq -p` (one request per association); this
// bucket lets it and ntpmon through and caps what a spoofer can reflect at ~2 KB/s.
inline constexpr int kControlBurst = 24;
inline constexpr int kControlPerSecond = 4;

struct ClassifierState {
  const RestrictTable& restrictions;
  RateLimiter& limiter;          // `restrict limited`: the worker's own
  RateLimiter& control_limiter;  // mode 6 from other hosts
  bool control_served = true;    // mode 6 is answered at all
  bool synchronised = true;      // our clock, as served now
  // Packets matched, by restrict entry (ntpq reslist's hits): this thread's own counts.
  std::span<std::atomic<std::uint64_t>> restrict_hits = {};
};

// `to_group`: the request was sent to a multicast group we answer (`manycastserver`).
ClassifiedRequest classify_request(std::span<const std::uint8_t> request,
                                   const RequestContext& context, bool to_group,
                                   ClassifierState& state);

}  // namespace stratumd
