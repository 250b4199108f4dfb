// The state machine of a symmetric association (`peer ADDRESS`: active, mode 1; or passive,
// mode 2, mobilised when an active peer we have no association with calls): both sides send at
// their poll interval and measure from each other's packets (RFC 5905's symmetric on-wire
// protocol), so two appliances back each other up. With a key, packets are signed and only
// authenticated ones count. A passive association that hears nothing for eight polls ends
// (ntpd's ephemeral ones). Sans-IO: events in, actions out.
#pragma once

#include <array>
#include <functional>
#include <span>

#include "firmware/clock/clock_snapshot.hpp"
#include "firmware/ntp/association_state.hpp"
#include "firmware/ntp/poll_adapter.hpp"

namespace stratumd {

// The clock's system variables for the packets we send as a time source.
using SnapshotSource = std::function<ClockSnapshot()>;

class PeerAssociation {
 public:
  PeerAssociation(const AssociationCore& core, const AssociationLine& config, const IpAddress& peer,
                  bool active, SnapshotSource snapshot);

  // No burst: as with ntpd, burst and iburst are for servers (a peer answers at its own poll,
  // so a burst's extra packets would only be refused as stale).
  AssociationActions start(UtcTime now) { return on_timer(now); }
  AssociationActions on_timer(UtcTime now);
  void transmitting(UtcTime) {}  // our transmit time is in the packet itself
  void transmitted() { ++status_.sent; }
  AssociationActions on_packet(std::span<const std::uint8_t> bytes, UtcTime arrival);

  // The line's options changed (a reload): samples and reach are kept; a changed poll interval
  // restarts from now (the returned timer).
  AssociationActions reconfigure(const AssociationLine& config);
  // A passive association whose peer went quiet: its owner removes it.
  bool expired() const { return !active_ && status_.reach == 0 && status_.sent >= 8; }
  const UpstreamStatus& status() const { return status_; }
  const AssociationLine& config() const { return config_; }
  void clock_stepped(Nanoseconds step) {
    shift_samples(status_, filter_, step);
    wire_.clock_stepped();
  }

 private:
  std::span<const std::uint8_t> packet(UtcTime now);
  int poll_exponent() const;

  const AssociationCore& core_;
  AssociationLine config_;
  bool active_;
  SnapshotSource snapshot_;
  SymmetricOnWire wire_;
  ClockFilter filter_;
  PollAdapter poll_;
  UpstreamStatus status_;
  std::array<std::uint8_t, kMaxSentPacket> packet_{};
  bool said_bad_auth_ = false;
  bool said_no_key_ = false;
};

}  // namespace stratumd
