#include "drivers/net/symmetric_peer.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <random>

#include "firmware/ntp/responder.hpp"

namespace stratumd {

SymmetricPeer::SymmetricPeer(const AssociationContext& context, const AssociationLine& config,
                             const SocketAddress& peer, bool active, PortSender send,
                             SnapshotSource snapshot)
    : context_(context),
      config_(config),
      peer_(peer),
      active_(active),
      send_(std::move(send)),
      snapshot_(std::move(snapshot)),
      poll_(config.minpoll, config.maxpoll) {
  status_.source = peer.ip;
  status_.address = peer.ip.to_string();
  status_.host_mode = active ? kHostModeActive : kHostModePassive;
  status_.poll_log2 = config.minpoll;
  status_.key_id = config.key.value_or(0);
}

SymmetricPeer::~SymmetricPeer() {
  context_.loop.cancel_timers(this);
}

// No burst: as with ntpd, burst and iburst are for servers (a peer answers at its own poll, so
// a burst's extra packets would only be refused as stale).
void SymmetricPeer::start() {
  poll();
}

void SymmetricPeer::poll() {
  poll_.on_poll((status_.reach & 1) != 0);
  status_.reach = static_cast<std::uint8_t>(status_.reach << 1);
  if (status_.reach == 0 && status_.filtered) {
    context_.log("peer " + status_.address + " unreachable");
    status_.filtered.reset();
    context_.updated();
  }
  // RFC 5905: symmetric peers poll at the lower of their two intervals.
  status_.poll_log2 =
      std::max(config_.minpoll, std::min(poll_.poll(), std::max(status_.peer_poll_log2, 3)));
  transmit();
  // Each interval is stretched by a random 0 to 1/16 of itself, as ntpd does. Two peers whose
  // timers fire in step, ours just before theirs, would otherwise each send before the other's
  // packet arrives, every poll: each echoes a stale transmit time and refuses the other's packets
  // for good (integration.symmetric caught it).
  const std::chrono::milliseconds interval{std::int64_t{1000} << status_.poll_log2};
  const std::chrono::milliseconds spread{std::random_device{}() % (interval.count() / 16 + 1)};
  context_.loop.call_after(
      interval + spread, [this] { poll(); }, this);
}

void SymmetricPeer::transmit() {
  const UtcTime now = context_.clock.now();
  NtpHeader packet = header_from_snapshot(snapshot_(), now);
  packet.mode = active_ ? NtpMode::symmetric_active : NtpMode::symmetric_passive;
  packet.version = static_cast<std::uint8_t>(config_.version);
  packet.poll = static_cast<std::int8_t>(status_.poll_log2);
  wire_.prepare(packet, NtpTimestamp::from_utc(context_.clock.now()));
  std::array<std::uint8_t, kMaxSentPacket> bytes{};
  const std::size_t length = serialize_packet(context_, packet, config_.key, bytes);
  if (length == 0 && !said_no_key_) {
    context_.log("peer " + status_.address + ": key " + std::to_string(*config_.key) +
                 " is not a trusted key of the keys file: nothing sent");
    said_no_key_ = true;
  }
  if (length > 0 && send_(peer_, std::span<const std::uint8_t>(bytes.data(), length))) {
    ++status_.sent;
  }
}

void SymmetricPeer::on_packet(const InboundPacket& packet) {
  const ParseResult parsed = parse_ntp_packet(packet.data());
  if (parsed.status != ParseStatus::ok) {
    status_.count_refused(ReplyVerdict::malformed);
    return;
  }
  const PacketAuth auth =
      check_packet_mac(parsed.packet, packet.data(), context_.keys(), context_.mac);
  const bool authentic =
      config_.key
          ? auth.result == PacketAuth::Result::valid && auth.key_id == *config_.key
          : auth.result == PacketAuth::Result::none || auth.result == PacketAuth::Result::valid;
  if (!authentic) {
    status_.count_refused(ReplyVerdict::bad_auth);
    if (!said_bad_auth_) {
      context_.log("peer " + status_.address + ": a packet failed authentication: ignored");
      said_bad_auth_ = true;
    }
    return;
  }
  OnWireSample sample;
  const ReplyVerdict verdict =
      wire_.receive(parsed.packet.header, packet.receive_time, context_.precision, sample);
  status_.peer_poll_log2 = std::clamp<int>(parsed.packet.header.poll, 3, 17);
  if (verdict == ReplyVerdict::unsynchronised || verdict == ReplyVerdict::kiss_other) {
    // A peer still starting up: it answers (reachable, as ntpd counts it) but has no time.
    status_.reach |= 1;
    status_.stratum = 16;
  }
  if (verdict != ReplyVerdict::sample) {
    // A peer's first packet (nothing of ours to echo yet) is expected, not refused.
    if (verdict != ReplyVerdict::no_origin) status_.count_refused(verdict);
    return;
  }
  said_bad_auth_ = false;
  const FilterOutput out = record_sample(context_, status_, filter_, sample, packet.receive_time);
  if (out.fresh) poll_.on_sample(out.chosen.offset, out.jitter);
  context_.updated();
}

}  // namespace stratumd
