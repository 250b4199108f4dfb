#include "drivers/net/upstream_association.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace stratumd {
namespace {

constexpr int kBurstPackets = 8;  // ntpd's iburst and burst
constexpr std::chrono::seconds kBurstSpacing{2};

}  // namespace

UpstreamAssociation::UpstreamAssociation(const AssociationContext& context,
                                         const AssociationLine& config, const SocketAddress& server)
    : context_(context),
      config_(config),
      socket_(context.loop, context.clock, server,
              [this](std::span<const std::uint8_t> bytes, UtcTime t4, const SocketAddress&) {
                receive(bytes, t4);
              }),
      poll_(config.minpoll, config.maxpoll) {
  status_.source = server.ip;
  status_.address = server.ip.to_string();
  status_.poll_log2 = config.minpoll;
  status_.key_id = config.key.value_or(0);
}

UpstreamAssociation::~UpstreamAssociation() {
  context_.loop.cancel_timers(this);
}

void UpstreamAssociation::start() {
  burst_left_ = config_.iburst ? kBurstPackets : 0;
  poll();
}

void UpstreamAssociation::schedule(std::chrono::nanoseconds delay) {
  context_.loop.call_after(
      delay, [this] { poll(); }, this);
}

void UpstreamAssociation::poll() {
  if (status_.stopped) return;
  const bool answered = (status_.reach & 1) != 0;
  if (burst_left_ == 0) poll_.on_poll(answered);
  unanswered_ = answered ? 0 : unanswered_ + 1;
  // The reach register shifts once per request: eight unanswered polls and the source is gone.
  status_.reach = static_cast<std::uint8_t>(status_.reach << 1);
  if (status_.reach == 0 && status_.received > 0 && !said_unreachable_) {
    context_.log("server " + status_.address + " unreachable");
    said_unreachable_ = true;
    status_.filtered.reset();
    context_.updated();
  }
  status_.poll_log2 = poll_.poll();
  const NtpHeader request = client_request(context_, config_.version, status_.poll_log2);
  std::array<std::uint8_t, kMaxSentPacket> bytes{};
  const std::size_t length = serialize_packet(context_, request, config_.key, bytes);
  if (length == 0 && !said_no_key_) {
    context_.log("server " + status_.address + ": key " + std::to_string(*config_.key) +
                 " is not a trusted key of the keys file: no requests sent");
    said_no_key_ = true;
  }
  if (length > 0) {
    wire_.sent(request.transmit_time, context_.clock.now());
    if (socket_.send(std::span<const std::uint8_t>(bytes.data(), length))) ++status_.sent;
  }
  if (burst_left_ > 0 && --burst_left_ > 0) {
    schedule(kBurstSpacing);
  } else {
    burst_left_ = config_.burst ? kBurstPackets : 0;
    schedule(std::chrono::seconds{std::int64_t{1} << status_.poll_log2});
  }
}

void UpstreamAssociation::receive(std::span<const std::uint8_t> bytes, UtcTime t4) {
  const ParseResult parsed = parse_ntp_packet(bytes);
  if (parsed.status != ParseStatus::ok) {
    status_.count_refused(ReplyVerdict::malformed);
    return;
  }
  // With `key N`, only a reply authenticated with that key is believed (a crypto-NAK is not:
  // anyone can send one).
  if (config_.key) {
    const PacketAuth auth = check_packet_mac(parsed.packet, bytes, context_.keys(), context_.mac);
    if (auth.result != PacketAuth::Result::valid || auth.key_id != *config_.key) {
      status_.count_refused(ReplyVerdict::bad_auth);
      if (!said_bad_auth_) {
        context_.log("server " + status_.address + ": reply " +
                     (auth.result == PacketAuth::Result::crypto_nak ? "is a crypto-NAK"
                      : auth.result == PacketAuth::Result::none
                          ? "is not authenticated"
                          : "fails authentication with key " + std::to_string(*config_.key)) +
                     ": ignored");
        said_bad_auth_ = true;
      }
      return;
    }
  }
  OnWireSample sample;
  const ReplyVerdict verdict = wire_.receive(parsed.packet.header, t4, context_.precision, sample);
  switch (verdict) {
    case ReplyVerdict::sample:
      break;
    case ReplyVerdict::kiss_rate:
      poll_.slow_down();
      status_.poll_log2 = poll_.poll();
      status_.count_refused(verdict);
      context_.log("server " + status_.address + " sent a RATE kiss: polling every " +
                   std::to_string(1 << status_.poll_log2) + " s");
      return;
    case ReplyVerdict::kiss_deny:
    case ReplyVerdict::kiss_restricted:
      status_.stopped = true;
      status_.filtered.reset();
      status_.count_refused(verdict);
      context_.log("server " + status_.address + " refuses us (" + to_string(verdict) +
                   "): no more requests");
      context_.updated();
      return;
    default:
      status_.count_refused(verdict);
      return;
  }
  said_unreachable_ = false;
  said_bad_auth_ = false;
  status_.peer_poll_log2 = parsed.packet.header.poll;
  const FilterOutput out = record_sample(context_, status_, filter_, sample, t4);
  if (out.fresh) poll_.on_sample(out.chosen.offset, out.jitter);
  context_.updated();
}

}  // namespace stratumd
