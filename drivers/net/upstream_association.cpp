#include "drivers/net/upstream_association.hpp"

namespace stratumd {

UpstreamAssociation::UpstreamAssociation(const AssociationContext& context,
                                         const AssociationLine& config, const SocketAddress& server)
    : machine_(context, config, server.ip),
      socket_(context.loop, context.clock, server,
              [this](std::span<const std::uint8_t> bytes, UtcTime t4, const SocketAddress&) {
                runner_.execute(machine_.on_packet(bytes, t4));
              }),
      runner_(context, machine_,
              [this](std::span<const std::uint8_t> bytes) { return socket_.send(bytes); }) {}

}  // namespace stratumd
