#include "drivers/net/symmetric_peer.hpp"

namespace stratumd {

SymmetricPeer::SymmetricPeer(const AssociationContext& context, const AssociationLine& config,
                             const SocketAddress& peer, bool active, PortSender send,
                             SnapshotSource snapshot)
    : peer_(peer),
      machine_(context, config, peer.ip, active, std::move(snapshot)),
      runner_(context, machine_,
              [this, send = std::move(send)](std::span<const std::uint8_t> bytes) {
                return send(peer_, bytes);
              }) {}

}  // namespace stratumd
