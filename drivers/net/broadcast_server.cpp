#include "drivers/net/broadcast_server.hpp"

namespace stratumd {

BroadcastServer::BroadcastServer(const AssociationContext& context, const AssociationLine& config,
                                 const SocketAddress& destination, PortSender send,
                                 SnapshotSource snapshot)
    : destination_(destination),
      machine_(context, config, destination.ip.to_string(), std::move(snapshot)),
      runner_(context, machine_,
              [this, send = std::move(send)](std::span<const std::uint8_t> bytes) {
                return send(destination_, bytes);
              }) {}

}  // namespace stratumd
