// One symmetric association (firmware/ntp/peer_association.hpp), sending from the server's port
// 123 (the socket the peer's packets arrive on, handed over by the workers).
#pragma once

#include <functional>
#include <span>

#include "drivers/net/association_inbox.hpp"
#include "drivers/net/association_runner.hpp"
#include "firmware/ntp/peer_association.hpp"

namespace stratumd {

// Sends a datagram from the server port (the server's socket).
using PortSender = std::function<bool(const SocketAddress&, std::span<const std::uint8_t>)>;

class SymmetricPeer : public NetworkAssociation {
 public:
  SymmetricPeer(const AssociationContext& context, const AssociationLine& config,
                const SocketAddress& peer, bool active, PortSender send, SnapshotSource snapshot);

  void start() { runner_.start(); }
  void on_packet(const InboundPacket& packet) {
    runner_.execute(machine_.on_packet(packet.data(), packet.receive_time));
  }
  bool expired() const { return machine_.expired(); }
  const SocketAddress& peer() const { return peer_; }

  const UpstreamStatus& status() const override { return machine_.status(); }
  const AssociationLine& config() const override { return machine_.config(); }
  void clock_stepped(Nanoseconds step) override { machine_.clock_stepped(step); }
  void reconfigure(const AssociationLine& config) {
    runner_.reschedule(machine_.reconfigure(config));
  }

 private:
  SocketAddress peer_;
  PeerAssociation machine_;
  AssociationRunner<PeerAssociation> runner_;
};

}  // namespace stratumd
