#include "firmware/ntp/responder.hpp"

#include <algorithm>
#include <cmath>

namespace stratumd {
namespace {

constexpr std::int8_t kMinPoll = 4;   // RFC 5905 MINPOLL
constexpr std::int8_t kMaxPoll = 17;  // RFC 5905 MAXPOLL

}  // namespace

const char* to_string(RequestOutcome outcome) {
  switch (outcome) {
    case RequestOutcome::answered:
      return "answered";
    case RequestOutcome::dropped_malformed:
      return "malformed";
    case RequestOutcome::dropped_bad_version:
      return "bad-version";
    case RequestOutcome::dropped_mode:
      return "unanswered-mode";
    case RequestOutcome::count_:
      break;
  }
  return "?";
}

std::int8_t precision_from_read_cost(Nanoseconds cost) {
  const double seconds = std::max(to_seconds(cost), 1e-9);
  return static_cast<std::int8_t>(std::clamp(std::ceil(std::log2(seconds)), -30.0, 0.0));
}

Response respond(std::span<const std::uint8_t> request, UtcTime receive_time,
                 const ClockSnapshot& snapshot, const ServerPolicy& policy,
                 const TransmitClock& clock, std::span<std::uint8_t> out) {
  const ParseResult parsed = parse_ntp_packet(request);
  switch (parsed.status) {
    case ParseStatus::ok:
      break;
    case ParseStatus::bad_version:
      return {RequestOutcome::dropped_bad_version, 0};
    case ParseStatus::too_short:
    case ParseStatus::too_long:
    case ParseStatus::bad_extension_field:
      return {RequestOutcome::dropped_malformed, 0};
  }
  const NtpHeader& req = parsed.packet.header;
  // NTPv1 clients send mode 0 for what later versions call client mode (ntpd answers them).
  const bool is_client =
      req.mode == NtpMode::client || (req.version == 1 && req.mode == NtpMode::reserved);
  if (!is_client) return {RequestOutcome::dropped_mode, 0};
  if (!snapshot.synchronised() && !policy.answer_when_unsynchronised) {
    return {RequestOutcome::dropped_mode, 0};
  }
  if (out.size() < kNtpHeaderSize + 4) return {RequestOutcome::dropped_malformed, 0};

  NtpHeader reply;
  reply.version = req.version;
  reply.mode = NtpMode::server;
  reply.poll = std::clamp(req.poll, kMinPoll, kMaxPoll);
  reply.precision = snapshot.precision;
  reply.root_delay = NtpShort::from_duration(snapshot.root_delay);
  reply.origin_time = req.transmit_time;
  reply.receive_time = NtpTimestamp::from_utc(receive_time);
  if (snapshot.synchronised()) {
    reply.leap = snapshot.leap;
    reply.stratum = snapshot.stratum;
    reply.reference_id = snapshot.reference_id;
    reply.reference_time = NtpTimestamp::from_utc(snapshot.reference_time);
    reply.root_dispersion = NtpShort::from_duration(snapshot.root_dispersion_at(receive_time));
  } else {
    // As ntpd: stratum "unspecified" (0 on the wire) with a kiss code, never a stratum-1 answer.
    reply.leap = LeapIndicator::unsynchronised;
    reply.stratum = 0;
    reply.reference_id = snapshot.has_stepped ? make_refid("STEP") : make_refid("INIT");
    reply.reference_time = snapshot.reference_time.time_since_epoch().count() == 0
                               ? NtpTimestamp{}
                               : NtpTimestamp::from_utc(snapshot.reference_time);
    reply.root_dispersion = NtpShort::from_duration(snapshot.root_dispersion_at(receive_time));
  }

  auto header = out.first<kNtpHeaderSize>();
  serialize_ntp_header(reply, header);
  std::size_t length = kNtpHeaderSize;
  if (parsed.packet.has_mac) {
    // No keys are configured yet: RFC 5905 answers an unverifiable MAC with a crypto-NAK (key 0).
    std::fill_n(out.begin() + kNtpHeaderSize, 4, std::uint8_t{0});
    length += 4;
  }
  write_transmit_time(NtpTimestamp::from_utc(clock.transmit_now()), header);
  return {RequestOutcome::answered, length};
}

}  // namespace stratumd
