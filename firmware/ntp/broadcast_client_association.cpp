#include "firmware/ntp/broadcast_client_association.hpp"

#include <algorithm>

namespace stratumd {
namespace {

constexpr int kVolleyPackets = 4;
constexpr std::chrono::seconds kVolleySpacing{2};

}  // namespace

BroadcastClientAssociation::BroadcastClientAssociation(const AssociationCore& core,
                                                       const AssociationLine& config,
                                                       const IpAddress& broadcaster,
                                                       double broadcast_delay, bool calibrate)
    : core_(core), config_(config), one_way_delay_(broadcast_delay), calibrating_(calibrate) {
  status_.source = broadcaster;
  status_.address = broadcaster.to_string();
  status_.host_mode = kHostModeBroadcastClient;
  volley_left_ = calibrate ? kVolleyPackets : 0;
}

AssociationActions BroadcastClientAssociation::start(UtcTime now) {
  return calibrating_ ? on_timer(now) : AssociationActions{};
}

AssociationActions BroadcastClientAssociation::on_timer(UtcTime /*now*/) {
  AssociationActions actions;
  if (!calibrating_) return actions;
  if (volley_left_-- <= 0) {
    calibrating_ = false;
    if (shortest_round_trip_) {
      one_way_delay_ = *shortest_round_trip_ / 2.0;
      core_.log("broadcast client: delay to " + status_.address + " calibrated at " +
                std::to_string(one_way_delay_ * 1e3) + " ms one way");
    } else {
      core_.log("broadcast client: " + status_.address +
                " did not answer the calibration: broadcastdelay used");
    }
    return actions;
  }
  const NtpHeader request = client_request(core_, 4, 6);
  const std::size_t length = serialize_packet(core_, request, std::nullopt, request_);
  request_transmit_ = request.transmit_time;
  actions.send = std::span<const std::uint8_t>(request_.data(), length);
  actions.timer = kVolleySpacing;
  return actions;
}

void BroadcastClientAssociation::on_calibration_reply(std::span<const std::uint8_t> bytes,
                                                      UtcTime t4) {
  const ParseResult parsed = parse_ntp_packet(bytes);
  if (parsed.status != ParseStatus::ok) return;
  OnWireSample sample;
  if (calibration_wire_.receive(parsed.packet.header, t4, core_.precision, sample) ==
      ReplyVerdict::sample) {
    shortest_round_trip_ = std::min(shortest_round_trip_.value_or(sample.delay), sample.delay);
  }
}

AssociationActions BroadcastClientAssociation::on_interval() {
  AssociationActions actions;
  silent_intervals_ = heard_this_interval_ ? 0 : silent_intervals_ + 1;
  heard_this_interval_ = false;
  status_.reach = static_cast<std::uint8_t>(status_.reach << 1);
  if (status_.reach == 0 && status_.filtered) {
    core_.log("broadcast server " + status_.address + " went quiet");
    status_.filtered.reset();
    actions.updated = true;
  }
  actions.interval = std::chrono::seconds{std::int64_t{1} << status_.poll_log2};
  return actions;
}

AssociationActions BroadcastClientAssociation::on_packet(std::span<const std::uint8_t> bytes,
                                                         UtcTime arrival) {
  AssociationActions actions;
  const ParseResult parsed = parse_ntp_packet(bytes);
  if (parsed.status != ParseStatus::ok) {
    status_.count_refused(ReplyVerdict::malformed);
    return actions;
  }
  status_.peer_poll_log2 = std::clamp<int>(parsed.packet.header.poll, 3, 17);
  if (!ticking_) {  // the reach register shifts at the broadcaster's interval from now on
    ticking_ = true;
    status_.poll_log2 = status_.peer_poll_log2;
    actions = on_interval();
  }
  // Only broadcasts authenticated with a trusted key are believed (anyone on the LAN can send a
  // broadcast), unless `disable auth` and no trusted keys are configured.
  const AuthSettings& keys = core_.keys();
  const PacketAuth auth = check_packet_mac(parsed.packet, bytes, keys, core_.mac);
  const bool authentic =
      auth.result == PacketAuth::Result::valid ||
      (auth.result == PacketAuth::Result::none && keys.trusted.empty() && !core_.auth_required);
  if (!authentic) {
    status_.count_refused(ReplyVerdict::bad_auth);
    if (!said_bad_auth_) {
      core_.log("broadcast from " + status_.address + " " +
                (auth.result == PacketAuth::Result::none
                     ? "is not authenticated (enable auth, or trusted keys configured)"
                     : "fails authentication") +
                ": ignored");
      said_bad_auth_ = true;
    }
    return actions;
  }
  OnWireSample sample;
  const ReplyVerdict verdict =
      wire_.receive(parsed.packet.header, arrival, core_.precision, one_way_delay_, sample);
  if (verdict != ReplyVerdict::sample) {
    status_.count_refused(verdict);
    return actions;
  }
  heard_this_interval_ = true;
  said_bad_auth_ = false;
  if (calibrating_) return actions;  // the offset needs the delay first
  record_sample(core_, status_, filter_, sample, arrival);
  actions.updated = true;
  return actions;
}

}  // namespace stratumd
