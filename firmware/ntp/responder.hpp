// The server side of RFC 5905 client/server mode as pure functions: request bytes, the receive
// stamp, the source address and a snapshot in; reply bytes (or a counted drop) out. No sockets,
// no allocation, no exceptions. The transmit timestamp is written by the caller as the very last
// step before the reply leaves (`stamp_transmit`).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "firmware/clock/clock_snapshot.hpp"
#include "firmware/net/ip_address.hpp"
#include "firmware/ntp/interleaved_timestamps.hpp"
#include "firmware/ntp/ntp_packet.hpp"
#include "firmware/ntp/packet_mac.hpp"
#include "firmware/ntp/rate_limiter.hpp"
#include "firmware/ntp/restrict_table.hpp"
#include "firmware/ntp/symmetric_key.hpp"

namespace stratumd {

enum class RequestOutcome : std::uint8_t {
  answered,
  kod_sent,              // rate limited, answered with a RATE kiss
  control_answered,      // mode 6 (ntpq, ntpstat) answered
  dropped_malformed,     // short, overlong, or broken extension fields
  dropped_bad_version,   // version 0 or above 4
  dropped_mode,          // modes this server does not answer (0 above version 1, 4, 7)
  dropped_restricted,    // restrict: ignore, noserve, noquery, version
  dropped_rate_limited,  // restrict limited: over the discard rate
  crypto_nak,            // a MAC that did not verify (unknown, untrusted key or wrong digest)
  association_packet,    // modes 1, 2 and 5: handed to the symmetric and broadcast associations
  count_
};

const char* to_string(RequestOutcome outcome);

struct Response {
  RequestOutcome outcome = RequestOutcome::dropped_malformed;
  std::size_t length = 0;  // bytes of `out` to send when answered or kod_sent
  // Basic mode: T3 is written by the caller right before the send (stamp_transmit). Interleaved
  // replies already carry the transmit time of the client's previous reply.
  bool needs_transmit_stamp = false;
  // The request was authenticated with this key: the reply's MAC is computed with it after T3 is
  // written (sign_reply), its key ID already in place.
  const SymmetricKey* sign_with = nullptr;
  bool interleaved = false;  // in interleaved mode: the client will ask when this reply left

  bool send() const { return length > 0; }
};

struct RequestSource {
  IpAddress address;
  std::uint16_t port = 0;
};

// Everything a worker needs besides the bytes; the limiter is the worker's own.
struct RequestContext {
  RequestSource source;
  UtcTime receive_time;       // kernel receive stamp on the served clock
  Nanoseconds monotonic_now;  // for rate limiting
};

// Symmetric keys and the thread's MAC engine; without them every MAC gets a crypto-NAK.
struct RequestAuth {
  const AuthSettings& keys;
  MacEngine& engine;
};

// The header our packets carry as a time source (server replies, broadcasts, symmetric packets):
// the clock's system variables at `at`; while unsynchronised LI=3, stratum 0 and an INIT or STEP
// kiss code, never a stratum-1 answer. Origin, receive and transmit times are left zero.
NtpHeader header_from_snapshot(const ClockSnapshot& snapshot, UtcTime at);

// `out` must hold at least kMaxReplySize bytes. With `interleaved`, a client in interleaved mode
// (its origin is the receive timestamp of a reply still remembered there, and its receive and
// transmit timestamps differ) is answered in interleaved mode: origin = its receive timestamp,
// transmit = when that earlier reply really left. The caller remembers each reply it sends.
inline constexpr std::size_t kMaxReplySize = kNtpHeaderSize + 4 + 20;
Response handle_request(std::span<const std::uint8_t> request, const RequestContext& context,
                        const ClockSnapshot& snapshot, const RestrictTable& restrictions,
                        RateLimiter& limiter, std::span<std::uint8_t> out,
                        const RequestAuth* auth = nullptr,
                        const InterleavedTimestamps* interleaved = nullptr);
// The same, with the source's restrict flags already looked up (request_classifier.hpp).
Response handle_request(std::span<const std::uint8_t> request, const RequestContext& context,
                        const ClockSnapshot& snapshot, std::uint32_t restrict_flags,
                        RateLimiter& limiter, std::span<std::uint8_t> out, const RequestAuth* auth,
                        const InterleavedTimestamps* interleaved);

// Completes an authenticated reply once its transmit time is written.
bool sign_reply(const Response& response, std::span<std::uint8_t> reply, MacEngine& engine);

// Writes T3 into a reply built by handle_request (only where needs_transmit_stamp).
inline void stamp_transmit(std::span<std::uint8_t> reply, UtcTime now) {
  write_transmit_time(NtpTimestamp::from_utc(now), reply.first<kNtpHeaderSize>());
}

// log2 of the clock's read cost, rounded up, as the precision field wants it.
std::int8_t precision_from_read_cost(Nanoseconds cost);

}  // namespace stratumd
