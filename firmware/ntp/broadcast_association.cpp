#include "firmware/ntp/broadcast_association.hpp"

#include "firmware/ntp/responder.hpp"

namespace stratumd {

BroadcastAssociation::BroadcastAssociation(const AssociationCore& core,
                                           const AssociationLine& config, std::string destination,
                                           SnapshotSource snapshot)
    : core_(core),
      config_(config),
      destination_(std::move(destination)),
      snapshot_(std::move(snapshot)) {}

AssociationActions BroadcastAssociation::on_timer(UtcTime now) {
  AssociationActions actions;
  const ClockSnapshot snapshot = snapshot_();
  // Unsynchronised: nothing is sent, and we look again each second so the first broadcast
  // follows synchronisation closely.
  actions.timer = std::chrono::seconds{1};
  if (!snapshot.synchronised()) return actions;
  actions.timer = std::chrono::seconds{std::int64_t{1} << config_.minpoll};
  NtpHeader packet = header_from_snapshot(snapshot, now);
  packet.mode = NtpMode::broadcast;
  packet.version = static_cast<std::uint8_t>(config_.version);
  packet.poll = static_cast<std::int8_t>(config_.minpoll);
  packet.transmit_time = NtpTimestamp::from_utc(now);
  const std::size_t length = serialize_packet(core_, packet, config_.key, packet_);
  if (length == 0 && !said_no_key_) {
    core_.log("broadcast " + destination_ + ": key " + std::to_string(*config_.key) +
              " is not a trusted key of the keys file: nothing sent");
    said_no_key_ = true;
  }
  actions.send = std::span<const std::uint8_t>(packet_.data(), length);
  return actions;
}

}  // namespace stratumd
