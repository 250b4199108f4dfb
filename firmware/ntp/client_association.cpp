#include "firmware/ntp/client_association.hpp"

namespace stratumd {
namespace {

constexpr int kBurstPackets = 8;  // ntpd's iburst and burst
constexpr std::chrono::seconds kBurstSpacing{2};

}  // namespace

ClientAssociation::ClientAssociation(const AssociationCore& core, const AssociationLine& config,
                                     const IpAddress& server)
    : core_(core), config_(config), poll_(config.minpoll, config.maxpoll) {
  status_.source = server;
  status_.address = server.to_string();
  status_.poll_log2 = config.minpoll;
  status_.key_id = config.key.value_or(0);
}

AssociationActions ClientAssociation::start(UtcTime now) {
  burst_left_ = config_.iburst ? kBurstPackets : 0;
  return on_timer(now);
}

AssociationActions ClientAssociation::reconfigure(const AssociationLine& config) {
  AssociationActions actions;
  // Only new bounds move the timer: a reload that keeps them keeps the poll's schedule.
  const bool bounds = config.minpoll != config_.minpoll || config.maxpoll != config_.maxpoll;
  if (take_line(config, config_, status_, poll_)) said_no_key_ = said_bad_auth_ = false;
  if (bounds && poll_.poll() != status_.poll_log2 && burst_left_ == 0) {
    status_.poll_log2 = poll_.poll();
    actions.timer = std::chrono::seconds{std::int64_t{1} << status_.poll_log2};
  }
  return actions;
}

// The request's transmit timestamp is random (client_request): `now` is read again, as T1, just
// before it leaves.
AssociationActions ClientAssociation::on_timer(UtcTime /*now*/) {
  AssociationActions actions;
  if (status_.stopped) return actions;
  const bool answered = (status_.reach & 1) != 0;
  if (burst_left_ == 0) {
    poll_.on_poll(answered);
    // ntpd's iburst: a burst instead of one packet at every poll while the server is unreachable
    // (one that answers unsynchronised, still setting its own clock, is: its burst then fills
    // the filter as soon as it has time to give, not one poll interval per sample).
    if (config_.iburst && status_.reach == 0) burst_left_ = kBurstPackets;
  }
  unanswered_ = answered ? 0 : unanswered_ + 1;
  // The reach register shifts once per request: eight unanswered polls and the source is gone.
  status_.reach = static_cast<std::uint8_t>(status_.reach << 1);
  if (status_.reach == 0 && status_.received > 0 && !said_unreachable_) {
    core_.log("server " + status_.address + " unreachable");
    said_unreachable_ = true;
    status_.filtered.reset();
    actions.updated = true;
  }
  status_.poll_log2 = poll_.poll();
  const NtpHeader request = client_request(core_, config_.version, status_.poll_log2);
  const std::size_t length = serialize_packet(core_, request, config_.key, request_);
  if (length == 0 && !said_no_key_) {
    core_.log("server " + status_.address + ": key " + std::to_string(*config_.key) +
              " is not a trusted key of the keys file: no requests sent");
    said_no_key_ = true;
  }
  if (length > 0) {
    request_transmit_ = request.transmit_time;
    actions.send = std::span<const std::uint8_t>(request_.data(), length);
  }
  if (burst_left_ > 0 && --burst_left_ > 0) {
    actions.timer = kBurstSpacing;
  } else {
    burst_left_ = config_.burst ? kBurstPackets : 0;
    actions.timer = std::chrono::seconds{std::int64_t{1} << status_.poll_log2};
  }
  return actions;
}

AssociationActions ClientAssociation::on_packet(std::span<const std::uint8_t> bytes, UtcTime t4) {
  AssociationActions actions;
  const ParseResult parsed = parse_ntp_packet(bytes);
  if (parsed.status != ParseStatus::ok) {
    status_.count_refused(ReplyVerdict::malformed);
    return actions;
  }
  // With `key N`, only a reply authenticated with that key is believed (a crypto-NAK is not:
  // anyone can send one).
  if (config_.key) {
    const PacketAuth auth = check_packet_mac(parsed.packet, bytes, core_.keys(), core_.mac);
    if (auth.result != PacketAuth::Result::valid || auth.key_id != *config_.key) {
      status_.count_refused(ReplyVerdict::bad_auth);
      if (!said_bad_auth_) {
        core_.log("server " + status_.address + ": reply " +
                  (auth.result == PacketAuth::Result::crypto_nak ? "is a crypto-NAK"
                   : auth.result == PacketAuth::Result::none
                       ? "is not authenticated"
                       : "fails authentication with key " + std::to_string(*config_.key)) +
                  ": ignored");
        said_bad_auth_ = true;
      }
      return actions;
    }
  }
  OnWireSample sample;
  const ReplyVerdict verdict = wire_.receive(parsed.packet.header, t4, core_.precision, sample);
  switch (verdict) {
    case ReplyVerdict::sample:
      break;
    case ReplyVerdict::kiss_rate:
      poll_.slow_down();
      status_.poll_log2 = poll_.poll();
      status_.count_refused(verdict);
      core_.log("server " + status_.address + " sent a RATE kiss: polling every " +
                std::to_string(1 << status_.poll_log2) + " s");
      return actions;
    case ReplyVerdict::kiss_deny:
    case ReplyVerdict::kiss_restricted:
      status_.stopped = true;
      status_.filtered.reset();
      status_.count_refused(verdict);
      core_.log("server " + status_.address + " refuses us (" + to_string(verdict) +
                "): no more requests");
      actions.updated = true;
      return actions;
    default:
      status_.count_refused(verdict);
      return actions;
  }
  said_unreachable_ = false;
  said_bad_auth_ = false;
  status_.peer_poll_log2 = parsed.packet.header.poll;
  const FilterOutput out = record_sample(core_, status_, filter_, sample, t4);
  if (out.fresh) poll_.on_sample(out.chosen.offset, out.jitter);
  actions.updated = true;
  return actions;
}

}  // namespace stratumd
