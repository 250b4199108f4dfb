// A symmetric association (`peer ADDRESS`: active, mode 1; or passive, mode 2, mobilised when an
// active peer we have no association with calls): both sides send at their poll interval from
// port 123 and measure from each other's packets (RFC 5905's symmetric on-wire protocol), so two
// appliances back each other up. With a key, packets are signed and only authenticated ones
// count. A passive association that hears nothing for eight polls ends (ntpd's ephemeral ones).
#pragma once

#include <chrono>
#include <functional>
#include <span>

#include "drivers/net/association_inbox.hpp"
#include "drivers/net/network_association.hpp"
#include "firmware/clock/clock_snapshot.hpp"
#include "firmware/ntp/poll_adapter.hpp"

namespace stratumd {

// Sends a datagram from the server port (the server's socket).
using PortSender = std::function<bool(const SocketAddress&, std::span<const std::uint8_t>)>;
// The clock's system variables for the packets we send as a time source.
using SnapshotSource = std::function<ClockSnapshot()>;

class SymmetricPeer : public NetworkAssociation {
 public:
  SymmetricPeer(const AssociationContext& context, const AssociationLine& config,
                const SocketAddress& peer, bool active, PortSender send, SnapshotSource snapshot);
  ~SymmetricPeer() override;
  SymmetricPeer(const SymmetricPeer&) = delete;
  SymmetricPeer& operator=(const SymmetricPeer&) = delete;

  void start();
  void on_packet(const InboundPacket& packet);
  // A passive association whose peer went quiet: its owner removes it.
  bool expired() const { return !active_ && status_.reach == 0 && status_.sent >= 8; }
  const SocketAddress& peer() const { return peer_; }

  const UpstreamStatus& status() const override { return status_; }
  const AssociationLine& config() const override { return config_; }
  void clock_stepped() override {
    filter_.clear();
    status_.filtered.reset();
  }

 private:
  void poll();
  void transmit();

  const AssociationContext& context_;
  AssociationLine config_;
  SocketAddress peer_;
  bool active_;
  PortSender send_;
  SnapshotSource snapshot_;
  SymmetricOnWire wire_;
  ClockFilter filter_;
  PollAdapter poll_;
  UpstreamStatus status_;
  bool said_bad_auth_ = false;
  bool said_no_key_ = false;
};

}  // namespace stratumd
