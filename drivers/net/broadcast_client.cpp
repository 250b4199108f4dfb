#include "drivers/net/broadcast_client.hpp"

namespace stratumd {
namespace {

// The socket the volley measures the delay through; none with `novolley`, or when it cannot be
// made (then `broadcastdelay` stands in).
std::unique_ptr<ClientSocket> calibration_socket(const AssociationContext& context,
                                                 const AssociationLine& config,
                                                 const SocketAddress& broadcaster,
                                                 ClientSocket::Received received) {
  if (config.novolley) return nullptr;
  SocketAddress server = broadcaster;
  server.port = 123;
  try {
    return std::make_unique<ClientSocket>(context.loop, context.clock, server, std::move(received));
  } catch (const std::exception& e) {
    context.log("broadcast client: cannot calibrate the delay to " + broadcaster.ip.to_string() +
                " (" + e.what() + "): broadcastdelay used");
    return nullptr;
  }
}

}  // namespace

BroadcastClient::BroadcastClient(const AssociationContext& context, const AssociationLine& config,
                                 const SocketAddress& broadcaster, double broadcast_delay)
    : calibration_(calibration_socket(
          context, config, broadcaster,
          [this](std::span<const std::uint8_t> bytes, UtcTime t4, const SocketAddress&) {
            machine_.on_calibration_reply(bytes, t4);
          })),
      machine_(context, config, broadcaster.ip, broadcast_delay, calibration_ != nullptr),
      runner_(context, machine_, [this](std::span<const std::uint8_t> bytes) {
        return calibration_ && calibration_->send(bytes);
      }) {
  runner_.start();
}

}  // namespace stratumd
