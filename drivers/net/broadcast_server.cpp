#include "drivers/net/broadcast_server.hpp"

#include <array>

#include "firmware/ntp/responder.hpp"

namespace stratumd {

BroadcastServer::BroadcastServer(const AssociationContext& context, const AssociationLine& config,
                                 const SocketAddress& destination, PortSender send,
                                 SnapshotSource snapshot)
    : context_(context),
      config_(config),
      destination_(destination),
      send_(std::move(send)),
      snapshot_(std::move(snapshot)) {}

BroadcastServer::~BroadcastServer() {
  context_.loop.cancel_timers(this);
}

void BroadcastServer::start() {
  transmit();
}

void BroadcastServer::transmit() {
  const ClockSnapshot snapshot = snapshot_();
  // Unsynchronised: nothing is sent, and we look again each second so the first broadcast
  // follows synchronisation closely.
  std::chrono::seconds next{1};
  if (snapshot.synchronised()) {
    next = std::chrono::seconds{std::int64_t{1} << config_.minpoll};
    NtpHeader packet = header_from_snapshot(snapshot, context_.clock.now());
    packet.mode = NtpMode::broadcast;
    packet.version = static_cast<std::uint8_t>(config_.version);
    packet.poll = static_cast<std::int8_t>(config_.minpoll);
    // T3 as late as possible, the MAC right after it.
    packet.transmit_time = NtpTimestamp::from_utc(context_.clock.now());
    std::array<std::uint8_t, kMaxSentPacket> bytes{};
    const std::size_t length = serialize_packet(context_, packet, config_.key, bytes);
    if (length == 0 && !said_no_key_) {
      context_.log("broadcast " + destination_.ip.to_string() + ": key " +
                   std::to_string(*config_.key) +
                   " is not a trusted key of the keys file: nothing sent");
      said_no_key_ = true;
    }
    if (length > 0 && send_(destination_, std::span<const std::uint8_t>(bytes.data(), length))) {
      ++sent_;
    }
  }
  context_.loop.call_after(
      next, [this] { transmit(); }, this);
}

}  // namespace stratumd
