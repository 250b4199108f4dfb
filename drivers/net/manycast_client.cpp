#include "drivers/net/manycast_client.hpp"

namespace stratumd {

ManycastClient::ManycastClient(const AssociationContext& context, const AssociationLine& config,
                               const SocketAddress& group, std::size_t wanted, InUse in_use,
                               Discovered discovered)
    : machine_(context, config, wanted, std::move(in_use)),
      discovered_(std::move(discovered)),
      socket_(
          context.loop, context.clock, group,
          [this](std::span<const std::uint8_t> bytes, UtcTime, const SocketAddress& from) {
            if (const auto server = machine_.on_packet(bytes, from.ip))
              discovered_(machine_.config(), *server);
          },
          ClientSocket::Kind::group),
      runner_(context, machine_,
              [this](std::span<const std::uint8_t> bytes) { return socket_.send(bytes); }) {
  socket_.set_multicast_ttl(config.ttl > 0 ? config.ttl : 1);
}

}  // namespace stratumd
