// Our broadcasts (firmware/ntp/broadcast_association.hpp), sent from the server's port 123.
#pragma once

#include "drivers/net/association_runner.hpp"
#include "drivers/net/symmetric_peer.hpp"
#include "firmware/ntp/broadcast_association.hpp"

namespace stratumd {

class BroadcastServer {
 public:
  BroadcastServer(const AssociationContext& context, const AssociationLine& config,
                  const SocketAddress& destination, PortSender send, SnapshotSource snapshot);

  void start() { runner_.start(); }
  std::uint64_t sent() const { return machine_.sent(); }
  const AssociationLine& config() const { return machine_.config(); }
  const SocketAddress& destination() const { return destination_; }

 private:
  SocketAddress destination_;
  BroadcastAssociation machine_;
  AssociationRunner<BroadcastAssociation> runner_;
};

}  // namespace stratumd
