#include "drivers/net/broadcast_client.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace stratumd {
namespace {

constexpr int kVolleyPackets = 4;
constexpr std::chrono::seconds kVolleySpacing{2};

}  // namespace

BroadcastClient::BroadcastClient(const AssociationContext& context, const AssociationLine& config,
                                 const SocketAddress& broadcaster, double broadcast_delay)
    : context_(context),
      config_(config),
      broadcaster_(broadcaster),
      one_way_delay_(broadcast_delay) {
  status_.source = broadcaster.ip;
  status_.address = broadcaster.ip.to_string();
  status_.host_mode = kHostModeBroadcastClient;
  if (!config.novolley) {
    SocketAddress server = broadcaster;
    server.port = 123;
    try {
      calibration_ = std::make_unique<ClientSocket>(
          context.loop, context.clock, server,
          [this](std::span<const std::uint8_t> bytes, UtcTime t4, const SocketAddress&) {
            calibration_reply(bytes, t4);
          });
      calibrating_ = true;
      volley_left_ = kVolleyPackets;
      volley();
    } catch (const std::exception& e) {
      context.log("broadcast client: cannot calibrate the delay to " + status_.address + " (" +
                  e.what() + "): broadcastdelay used");
    }
  }
}

BroadcastClient::~BroadcastClient() {
  context_.loop.cancel_timers(this);
}

void BroadcastClient::volley() {
  if (volley_left_-- <= 0) {
    calibrating_ = false;
    if (shortest_round_trip_) {
      one_way_delay_ = *shortest_round_trip_ / 2.0;
      context_.log("broadcast client: delay to " + status_.address + " calibrated at " +
                   std::to_string(one_way_delay_ * 1e3) + " ms one way");
    } else {
      context_.log("broadcast client: " + status_.address +
                   " did not answer the calibration: broadcastdelay used");
    }
    return;
  }
  const NtpHeader request = client_request(context_, 4, 6);
  std::array<std::uint8_t, kMaxSentPacket> bytes{};
  const std::size_t length = serialize_packet(context_, request, std::nullopt, bytes);
  calibration_wire_.sent(request.transmit_time, context_.clock.now());
  calibration_->send(std::span<const std::uint8_t>(bytes.data(), length));
  context_.loop.call_after(
      kVolleySpacing, [this] { volley(); }, this);
}

void BroadcastClient::calibration_reply(std::span<const std::uint8_t> bytes, UtcTime t4) {
  const ParseResult parsed = parse_ntp_packet(bytes);
  if (parsed.status != ParseStatus::ok) return;
  OnWireSample sample;
  if (calibration_wire_.receive(parsed.packet.header, t4, context_.precision, sample) ==
      ReplyVerdict::sample) {
    shortest_round_trip_ = std::min(shortest_round_trip_.value_or(sample.delay), sample.delay);
  }
}

void BroadcastClient::tick() {
  silent_intervals_ = heard_this_interval_ ? 0 : silent_intervals_ + 1;
  heard_this_interval_ = false;
  status_.reach = static_cast<std::uint8_t>(status_.reach << 1);
  if (status_.reach == 0 && status_.filtered) {
    context_.log("broadcast server " + status_.address + " went quiet");
    status_.filtered.reset();
    context_.updated();
  }
  context_.loop.call_after(
      std::chrono::seconds{std::int64_t{1} << status_.poll_log2}, [this] { tick(); }, this);
}

void BroadcastClient::on_packet(const InboundPacket& packet) {
  const ParseResult parsed = parse_ntp_packet(packet.data());
  if (parsed.status != ParseStatus::ok) {
    status_.count_refused(ReplyVerdict::malformed);
    return;
  }
  status_.peer_poll_log2 = std::clamp<int>(parsed.packet.header.poll, 3, 17);
  if (!ticking_) {  // the reach register shifts at the broadcaster's interval from now on
    ticking_ = true;
    status_.poll_log2 = status_.peer_poll_log2;
    tick();
  }
  // Only broadcasts authenticated with a trusted key are believed (anyone on the LAN can send a
  // broadcast), unless `disable auth` and no trusted keys are configured.
  const AuthSettings& keys = context_.keys();
  const PacketAuth auth = check_packet_mac(parsed.packet, packet.data(), keys, context_.mac);
  const bool authentic =
      auth.result == PacketAuth::Result::valid ||
      (auth.result == PacketAuth::Result::none && keys.trusted.empty() && !context_.auth_required);
  if (!authentic) {
    status_.count_refused(ReplyVerdict::bad_auth);
    if (!said_bad_auth_) {
      context_.log("broadcast from " + status_.address + " " +
                   (auth.result == PacketAuth::Result::none
                        ? "is not authenticated (enable auth, or trusted keys configured)"
                        : "fails authentication") +
                   ": ignored");
      said_bad_auth_ = true;
    }
    return;
  }
  OnWireSample sample;
  const ReplyVerdict verdict = wire_.receive(parsed.packet.header, packet.receive_time,
                                             context_.precision, one_way_delay_, sample);
  if (verdict != ReplyVerdict::sample) {
    status_.count_refused(verdict);
    return;
  }
  heard_this_interval_ = true;
  said_bad_auth_ = false;
  if (calibrating_) return;  // the offset needs the delay first
  record_sample(context_, status_, filter_, sample, packet.receive_time);
  context_.updated();
}

}  // namespace stratumd
