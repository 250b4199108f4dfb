// One broadcaster heard (firmware/ntp/broadcast_client_association.hpp): its broadcasts arrive
// through the workers' inbox; the volley that measures the delay to it has a socket of its own.
#pragma once

#include <memory>

#include "drivers/net/association_inbox.hpp"
#include "drivers/net/association_runner.hpp"
#include "drivers/net/client_socket.hpp"
#include "firmware/ntp/broadcast_client_association.hpp"

namespace stratumd {

class BroadcastClient : public NetworkAssociation {
 public:
  BroadcastClient(const AssociationContext& context, const AssociationLine& config,
                  const SocketAddress& broadcaster, double broadcast_delay);

  void on_packet(const InboundPacket& packet) {
    runner_.execute(machine_.on_packet(packet.data(), packet.receive_time));
  }
  bool expired() const { return machine_.expired(); }
  const IpAddress& broadcaster() const { return machine_.status().source; }

  const UpstreamStatus& status() const override { return machine_.status(); }
  const AssociationLine& config() const override { return machine_.config(); }
  void clock_stepped(Nanoseconds step) override { machine_.clock_stepped(step); }

 private:
  std::unique_ptr<ClientSocket> calibration_;
  BroadcastClientAssociation machine_;
  AssociationRunner<BroadcastClientAssociation> runner_;
};

}  // namespace stratumd
