#include "firmware/ntp/peer_association.hpp"

#include <algorithm>
#include <random>

#include "firmware/ntp/responder.hpp"

namespace stratumd {

PeerAssociation::PeerAssociation(const AssociationCore& core, const AssociationLine& config,
                                 const IpAddress& peer, bool active, SnapshotSource snapshot)
    : core_(core),
      config_(config),
      active_(active),
      snapshot_(std::move(snapshot)),
      poll_(config.minpoll, config.maxpoll) {
  status_.source = peer;
  status_.address = peer.to_string();
  status_.host_mode = active ? kHostModeActive : kHostModePassive;
  status_.poll_log2 = config.minpoll;
  status_.key_id = config.key.value_or(0);
}

AssociationActions PeerAssociation::on_timer(UtcTime now) {
  AssociationActions actions;
  poll_.on_poll((status_.reach & 1) != 0);
  status_.reach = static_cast<std::uint8_t>(status_.reach << 1);
  if (status_.reach == 0 && status_.filtered) {
    core_.log("peer " + status_.address + " unreachable");
    status_.filtered.reset();
    actions.updated = true;
  }
  status_.poll_log2 = poll_exponent();
  actions.send = packet(now);
  // Each interval is stretched by a random 0 to 1/16 of itself, as ntpd does. Two peers whose
  // timers fire in step, ours just before theirs, would otherwise each send before the other's
  // packet arrives, every poll: each echoes a stale transmit time and refuses the other's packets
  // for good (integration.symmetric caught it).
  const std::chrono::milliseconds interval{std::int64_t{1000} << status_.poll_log2};
  const std::chrono::milliseconds spread{static_cast<std::int64_t>(
      core_.random.next() % static_cast<std::uint64_t>(interval.count() / 16 + 1))};
  actions.timer = interval + spread;
  return actions;
}

AssociationActions PeerAssociation::reconfigure(const AssociationLine& config) {
  AssociationActions actions;
  // Only new bounds move the timer: a reload that keeps them keeps the poll's schedule.
  const bool bounds = config.minpoll != config_.minpoll || config.maxpoll != config_.maxpoll;
  if (take_line(config, config_, status_, poll_)) said_no_key_ = said_bad_auth_ = false;
  if (bounds && poll_exponent() != status_.poll_log2) {
    status_.poll_log2 = poll_exponent();
    actions.timer = std::chrono::seconds{std::int64_t{1} << status_.poll_log2};
  }
  return actions;
}

// RFC 5905: symmetric peers poll at the lower of their two intervals.
int PeerAssociation::poll_exponent() const {
  return std::max(config_.minpoll, std::min(poll_.poll(), std::max(status_.peer_poll_log2, 3)));
}

std::span<const std::uint8_t> PeerAssociation::packet(UtcTime now) {
  NtpHeader header = header_from_snapshot(snapshot_(), now);
  header.mode = active_ ? NtpMode::symmetric_active : NtpMode::symmetric_passive;
  header.version = static_cast<std::uint8_t>(config_.version);
  header.poll = static_cast<std::int8_t>(status_.poll_log2);
  wire_.prepare(header, NtpTimestamp::from_utc(now));
  const std::size_t length = serialize_packet(core_, header, config_.key, packet_);
  if (length == 0 && !said_no_key_) {
    core_.log("peer " + status_.address + ": key " + std::to_string(*config_.key) +
              " is not a trusted key of the keys file: nothing sent");
    said_no_key_ = true;
  }
  return std::span<const std::uint8_t>(packet_.data(), length);
}

AssociationActions PeerAssociation::on_packet(std::span<const std::uint8_t> bytes,
                                              UtcTime arrival) {
  AssociationActions actions;
  const ParseResult parsed = parse_ntp_packet(bytes);
  if (parsed.status != ParseStatus::ok) {
    status_.count_refused(ReplyVerdict::malformed);
    return actions;
  }
  const PacketAuth auth = check_packet_mac(parsed.packet, bytes, core_.keys(), core_.mac);
  const bool authentic =
      config_.key
          ? auth.result == PacketAuth::Result::valid && auth.key_id == *config_.key
          : auth.result == PacketAuth::Result::none || auth.result == PacketAuth::Result::valid;
  if (!authentic) {
    status_.count_refused(ReplyVerdict::bad_auth);
    if (!said_bad_auth_) {
      core_.log("peer " + status_.address + ": a packet failed authentication: ignored");
      said_bad_auth_ = true;
    }
    return actions;
  }
  OnWireSample sample;
  const ReplyVerdict verdict =
      wire_.receive(parsed.packet.header, arrival, core_.precision, sample);
  status_.peer_poll_log2 = std::clamp<int>(parsed.packet.header.poll, 3, 17);
  if (verdict == ReplyVerdict::unsynchronised || verdict == ReplyVerdict::kiss_other) {
    // A peer still starting up: it answers (reachable, as ntpd counts it) but has no time.
    status_.reach |= 1;
    status_.stratum = 16;
  }
  if (verdict != ReplyVerdict::sample) {
    // A peer's first packet (nothing of ours to echo yet) is expected, not refused.
    if (verdict != ReplyVerdict::no_origin) status_.count_refused(verdict);
    return actions;
  }
  said_bad_auth_ = false;
  const FilterOutput out = record_sample(core_, status_, filter_, sample, arrival);
  if (out.fresh) poll_.on_sample(out.chosen.offset, out.jitter);
  actions.updated = true;
  return actions;
}

}  // namespace stratumd
