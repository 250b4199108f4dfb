// `broadcast ADDRESS [key N] [ttl T] [minpoll P]`: mode-5 packets from port 123 to a subnet's
// broadcast address or a multicast group (224.0.1.1, ff05::101) every 2^minpoll seconds while
// our clock is synchronised (ntpd sends nothing unsynchronised), signed when a key is given.
#pragma once

#include "drivers/net/network_association.hpp"
#include "drivers/net/symmetric_peer.hpp"

namespace stratumd {

class BroadcastServer {
 public:
  BroadcastServer(const AssociationContext& context, const AssociationLine& config,
                  const SocketAddress& destination, PortSender send, SnapshotSource snapshot);
  ~BroadcastServer();
  BroadcastServer(const BroadcastServer&) = delete;
  BroadcastServer& operator=(const BroadcastServer&) = delete;

  void start();
  std::uint64_t sent() const { return sent_; }
  const AssociationLine& config() const { return config_; }
  const SocketAddress& destination() const { return destination_; }

 private:
  void transmit();

  const AssociationContext& context_;
  AssociationLine config_;
  SocketAddress destination_;
  PortSender send_;
  SnapshotSource snapshot_;
  std::uint64_t sent_ = 0;
  bool said_no_key_ = false;
};

}  // namespace stratumd
