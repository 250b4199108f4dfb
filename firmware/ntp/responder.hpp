// The server side of RFC 5905 client/server mode as a pure function: request bytes, the receive
// stamp and a snapshot in, reply bytes (or a counted drop) out. No sockets, no allocation, no
// exceptions: the UDP workers around it own I/O, batching and timestamps.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "firmware/clock/clock_snapshot.hpp"
#include "firmware/ntp/ntp_packet.hpp"

namespace stratumd {

enum class RequestOutcome : std::uint8_t {
  answered,
  dropped_malformed,    // short, overlong, or broken extension fields
  dropped_bad_version,  // version 0 or above 4
  dropped_mode,         // modes this server does not answer (7 always, 0/1/2/4/5/6 for now)
  count_
};

const char* to_string(RequestOutcome outcome);

struct ServerPolicy {
  // Kiss code for unsynchronised replies before the first clock update; STEP after a step.
  bool answer_when_unsynchronised = true;
};

// Reads the served clock at the last moment before the reply leaves, so T3 is as late as the
// caller can make it.
class TransmitClock {
 public:
  virtual ~TransmitClock() = default;
  virtual UtcTime transmit_now() const = 0;
};

struct Response {
  RequestOutcome outcome = RequestOutcome::dropped_malformed;
  std::size_t length = 0;  // bytes of `out` to send when answered
};

// `out` must hold at least kNtpHeaderSize + 4 bytes (a crypto-NAK).
Response respond(std::span<const std::uint8_t> request, UtcTime receive_time,
                 const ClockSnapshot& snapshot, const ServerPolicy& policy,
                 const TransmitClock& clock, std::span<std::uint8_t> out);

// log2 of the clock's read cost, rounded up, as the precision field wants it.
std::int8_t precision_from_read_cost(Nanoseconds cost);

}  // namespace stratumd
