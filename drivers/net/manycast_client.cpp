#include "drivers/net/manycast_client.hpp"

#include <array>

namespace stratumd {
namespace {

constexpr int kBurstPackets = 4;
constexpr std::chrono::seconds kBurstSpacing{2};

}  // namespace

ManycastClient::ManycastClient(const AssociationContext& context, const AssociationLine& config,
                               const SocketAddress& group, std::size_t wanted, InUse in_use,
                               Discovered discovered)
    : context_(context),
      config_(config),
      wanted_(wanted),
      in_use_(std::move(in_use)),
      discovered_(std::move(discovered)),
      socket_(
          context.loop, context.clock, group,
          [this](std::span<const std::uint8_t> bytes, UtcTime t4, const SocketAddress& from) {
            reply(bytes, t4, from);
          },
          ClientSocket::Kind::group) {
  socket_.set_multicast_ttl(config.ttl > 0 ? config.ttl : 1);
}

ManycastClient::~ManycastClient() {
  context_.loop.cancel_timers(this);
}

void ManycastClient::start() {
  burst_left_ = config_.iburst ? kBurstPackets : 0;
  solicit();
}

void ManycastClient::solicit() {
  if (in_use_(config_) < wanted_) {
    const NtpHeader request = client_request(context_, config_.version, config_.minpoll);
    std::array<std::uint8_t, kMaxSentPacket> bytes{};
    const std::size_t length = serialize_packet(context_, request, config_.key, bytes);
    if (length > 0 && socket_.send(std::span<const std::uint8_t>(bytes.data(), length))) {
      last_sent_ = request.transmit_time;
    }
  }
  const bool bursting = burst_left_ > 0 && --burst_left_ > 0;
  context_.loop.call_after(
      bursting ? std::chrono::seconds{kBurstSpacing}
               : std::chrono::seconds{std::int64_t{1} << config_.minpoll},
      [this] { solicit(); }, this);
}

void ManycastClient::reply(std::span<const std::uint8_t> bytes, UtcTime t4,
                           const SocketAddress& from) {
  const ParseResult parsed = parse_ntp_packet(bytes);
  if (parsed.status != ParseStatus::ok) return;
  const NtpHeader& h = parsed.packet.header;
  // Several servers answer one request: each reply must echo it, but it stays open for the rest.
  if (h.mode != NtpMode::server || !last_sent_ || h.origin_time != *last_sent_) return;
  if (h.stratum == 0 || h.stratum > 15 || h.leap == LeapIndicator::unsynchronised) return;
  if (config_.key) {
    const PacketAuth auth = check_packet_mac(parsed.packet, bytes, context_.keys(), context_.mac);
    if (auth.result != PacketAuth::Result::valid || auth.key_id != *config_.key) return;
  }
  (void)t4;
  if (in_use_(config_) < wanted_) discovered_(config_, from.ip);
}

}  // namespace stratumd
