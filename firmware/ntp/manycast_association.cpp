#include "firmware/ntp/manycast_association.hpp"

namespace stratumd {
namespace {

constexpr int kBurstPackets = 4;
constexpr std::chrono::seconds kBurstSpacing{2};

}  // namespace

ManycastAssociation::ManycastAssociation(const AssociationCore& core, const AssociationLine& config,
                                         std::size_t wanted, InUse in_use)
    : core_(core), config_(config), wanted_(wanted), in_use_(std::move(in_use)) {}

AssociationActions ManycastAssociation::start(UtcTime now) {
  burst_left_ = config_.iburst ? kBurstPackets : 0;
  return on_timer(now);
}

AssociationActions ManycastAssociation::on_timer(UtcTime /*now*/) {
  AssociationActions actions;
  if (in_use_(config_) < wanted_) {
    const NtpHeader request = client_request(core_, config_.version, config_.minpoll);
    const std::size_t length = serialize_packet(core_, request, config_.key, request_);
    pending_ = request.transmit_time;
    actions.send = std::span<const std::uint8_t>(request_.data(), length);
  }
  const bool bursting = burst_left_ > 0 && --burst_left_ > 0;
  actions.timer = bursting ? std::chrono::seconds{kBurstSpacing}
                           : std::chrono::seconds{std::int64_t{1} << config_.minpoll};
  return actions;
}

std::optional<IpAddress> ManycastAssociation::on_packet(std::span<const std::uint8_t> bytes,
                                                        const IpAddress& from) {
  const ParseResult parsed = parse_ntp_packet(bytes);
  if (parsed.status != ParseStatus::ok) return std::nullopt;
  const NtpHeader& h = parsed.packet.header;
  // Several servers answer one request: each reply must echo it, but it stays open for the rest.
  if (h.mode != NtpMode::server || !last_sent_ || h.origin_time != *last_sent_) return std::nullopt;
  if (h.stratum == 0 || h.stratum > 15 || h.leap == LeapIndicator::unsynchronised) {
    return std::nullopt;
  }
  if (config_.key) {
    const PacketAuth auth = check_packet_mac(parsed.packet, bytes, core_.keys(), core_.mac);
    if (auth.result != PacketAuth::Result::valid || auth.key_id != *config_.key) {
      return std::nullopt;
    }
  }
  if (in_use_(config_) >= wanted_) return std::nullopt;
  return from;
}

}  // namespace stratumd
