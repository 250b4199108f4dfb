// The state machine of one upstream server association (`server ADDRESS`, or one address of a
// `pool`), as an NTP client: eight quick requests at start with `iburst` (and at each poll with
// `burst`), then one every 2^poll seconds, the poll adapting between minpoll and maxpoll; replies
// through the on-wire tests and the clock filter. With `key N` requests are signed and only
// replies authenticated with that key count. Keeps ntpd's reach register; backs off on a RATE
// kiss and stops on DENY or RSTR. Sans-IO: events in, actions out (the runner in drivers/net
// sends, stamps and keeps the timer).
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "firmware/ntp/association_state.hpp"
#include "firmware/ntp/poll_adapter.hpp"

namespace stratumd {

class ClientAssociation {
 public:
  ClientAssociation(const AssociationCore& core, const AssociationLine& config,
                    const IpAddress& server);

  AssociationActions start(UtcTime now);
  AssociationActions on_timer(UtcTime now);
  // The request of the last actions leaves now, read on our clock (T1).
  void transmitting(UtcTime t1) { wire_.sent(request_transmit_, t1); }
  void transmitted() { ++status_.sent; }
  // A datagram from the server, `t4` its arrival on our clock.
  AssociationActions on_packet(std::span<const std::uint8_t> bytes, UtcTime t4);

  const UpstreamStatus& status() const { return status_; }
  const AssociationLine& config() const { return config_; }
  void clock_stepped(Nanoseconds step) {
    shift_samples(status_, filter_, step);
    wire_.clock_stepped(step);
  }
  // The line's options changed (a reload); the association keeps its samples and reach. A poll
  // interval that changed is restarted from now (the returned timer).
  AssociationActions reconfigure(const AssociationLine& config);
  // Polls sent since the last reply (a pool member this long unanswered is replaced).
  int unanswered() const { return unanswered_; }

 private:
  const AssociationCore& core_;
  AssociationLine config_;
  ClientOnWire wire_;
  ClockFilter filter_;
  PollAdapter poll_;
  UpstreamStatus status_;
  std::array<std::uint8_t, kMaxSentPacket> request_{};
  NtpTimestamp request_transmit_{};
  int burst_left_ = 0;
  int unanswered_ = 0;
  bool said_unreachable_ = false;
  bool said_no_key_ = false;
  bool said_bad_auth_ = false;
};

}  // namespace stratumd
