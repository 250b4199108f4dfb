#include "firmware/ntp/responder.hpp"

#include <algorithm>
#include <cmath>

#include "firmware/util/big_endian.hpp"

namespace stratumd {
namespace {

constexpr std::int8_t kMinPoll = 4;   // RFC 5905 MINPOLL
constexpr std::int8_t kMaxPoll = 17;  // RFC 5905 MAXPOLL
constexpr std::uint8_t kCurrentVersion = 4;

// How the reply carries a MAC: none, a crypto-NAK (key 0, no digest), or signed with a key.
struct ReplyMac {
  bool nak = false;
  const SymmetricKey* key = nullptr;
};

// A client asks for interleaved mode by echoing, as its origin, the receive timestamp of our
// previous reply, with receive and transmit timestamps that differ (a basic-mode client sends
// them zero or equal). The earlier reply's real transmit time is known only if still remembered.
bool speaks_interleaved(const NtpHeader& req) {
  return !req.origin_time.is_zero() && req.receive_time != req.transmit_time;
}

std::optional<NtpTimestamp> interleaved_transmit(const NtpHeader& req,
                                                 const InterleavedTimestamps* interleaved) {
  if (!interleaved || !speaks_interleaved(req)) return std::nullopt;
  return interleaved->transmit_for(req.origin_time);
}

Response answer_client(const ParsedPacket& request, const RequestContext& context,
                       const ClockSnapshot& snapshot, std::span<std::uint8_t> out, ReplyMac mac,
                       const InterleavedTimestamps* interleaved) {
  const NtpHeader& req = request.header;
  NtpHeader reply = header_from_snapshot(snapshot, context.receive_time);
  reply.version = req.version;
  reply.mode = NtpMode::server;
  reply.poll = std::clamp(req.poll, kMinPoll, kMaxPoll);
  reply.origin_time = req.transmit_time;
  reply.receive_time = NtpTimestamp::from_utc(context.receive_time);
  const std::optional<NtpTimestamp> earlier_transmit =
      mac.nak ? std::nullopt : interleaved_transmit(req, interleaved);
  if (earlier_transmit) {
    reply.origin_time = req.receive_time;
    reply.transmit_time = *earlier_transmit;
  }
  serialize_ntp_header(reply, out.first<kNtpHeaderSize>());
  Response response{RequestOutcome::answered, kNtpHeaderSize, !earlier_transmit};
  response.interleaved = earlier_transmit.has_value();
  if (mac.nak) {
    // RFC 5905: a MAC that does not verify is answered with a crypto-NAK (key ID 0, no digest).
    std::fill_n(out.begin() + kNtpHeaderSize, 4, std::uint8_t{0});
    response.outcome = RequestOutcome::crypto_nak;
    response.length += 4;
  } else if (mac.key) {
    store_be32(mac.key->id, out.subspan(kNtpHeaderSize).first<4>());
    response.length += 4 + mac_digest_length(mac.key->type);
    response.sign_with = mac.key;
  }
  return response;
}

// ntpd's RATE kiss: no time information, the client's transmit stamp echoed in every timestamp
// field, and a poll no shorter than the average interval the client must respect.
Response answer_rate_kiss(const ParsedPacket& request, std::int8_t average_log2,
                          std::span<std::uint8_t> out) {
  const NtpHeader& req = request.header;
  NtpHeader kiss;
  kiss.leap = LeapIndicator::unsynchronised;
  kiss.version = req.version;
  kiss.mode = NtpMode::server;
  kiss.stratum = 0;
  kiss.poll = std::clamp(std::max(req.poll, average_log2), kMinPoll, kMaxPoll);
  kiss.reference_id = make_refid("RATE");
  kiss.origin_time = req.transmit_time;
  kiss.receive_time = req.transmit_time;
  kiss.transmit_time = req.transmit_time;
  serialize_ntp_header(kiss, out.first<kNtpHeaderSize>());
  return {RequestOutcome::kod_sent, kNtpHeaderSize, false};
}

}  // namespace

NtpHeader header_from_snapshot(const ClockSnapshot& snapshot, UtcTime at) {
  NtpHeader header;
  header.precision = snapshot.precision;
  header.root_delay = NtpShort::from_duration(snapshot.root_delay);
  header.root_dispersion = NtpShort::from_duration_ceil(snapshot.root_dispersion_at(at));
  const bool ever_updated = snapshot.reference_time.time_since_epoch().count() != 0;
  header.reference_time =
      ever_updated ? NtpTimestamp::from_utc(snapshot.reference_time) : NtpTimestamp{};
  if (snapshot.synchronised()) {
    header.leap = snapshot.leap;
    header.stratum = snapshot.stratum;
    header.reference_id = snapshot.reference_id;
  } else {
    // As ntpd: stratum "unspecified" (0 on the wire) with a kiss code, never a stratum-1 answer.
    header.leap = LeapIndicator::unsynchronised;
    header.stratum = 0;
    header.reference_id = snapshot.has_stepped ? make_refid("STEP") : make_refid("INIT");
  }
  return header;
}

const char* to_string(RequestOutcome outcome) {
  switch (outcome) {
    case RequestOutcome::answered:
      return "answered";
    case RequestOutcome::kod_sent:
      return "kod";
    case RequestOutcome::control_answered:
      return "control";
    case RequestOutcome::dropped_malformed:
      return "malformed";
    case RequestOutcome::dropped_bad_version:
      return "bad-version";
    case RequestOutcome::dropped_mode:
      return "unanswered-mode";
    case RequestOutcome::dropped_restricted:
      return "restricted";
    case RequestOutcome::dropped_rate_limited:
      return "rate-limited";
    case RequestOutcome::crypto_nak:
      return "crypto-nak";
    case RequestOutcome::association_packet:
      return "association";
    case RequestOutcome::count_:
      break;
  }
  return "?";
}

std::int8_t precision_from_read_cost(Nanoseconds cost) {
  const double seconds = std::max(to_seconds(cost), 1e-9);
  return static_cast<std::int8_t>(std::clamp(std::ceil(std::log2(seconds)), -30.0, 0.0));
}

Response handle_request(std::span<const std::uint8_t> request, const RequestContext& context,
                        const ClockSnapshot& snapshot, const RestrictTable& restrictions,
                        RateLimiter& limiter, std::span<std::uint8_t> out, const RequestAuth* auth,
                        const InterleavedTimestamps* interleaved) {
  return handle_request(request, context, snapshot,
                        restrictions.lookup(context.source.address, context.source.port), limiter,
                        out, auth, interleaved);
}

Response handle_request(std::span<const std::uint8_t> request, const RequestContext& context,
                        const ClockSnapshot& snapshot, std::uint32_t flags, RateLimiter& limiter,
                        std::span<std::uint8_t> out, const RequestAuth* auth,
                        const InterleavedTimestamps* interleaved) {
  if (flags & restrict_flag::ignore) return {RequestOutcome::dropped_restricted, 0, false};

  const ParseResult parsed = parse_ntp_packet(request);
  switch (parsed.status) {
    case ParseStatus::ok:
      break;
    case ParseStatus::bad_version:
      return {RequestOutcome::dropped_bad_version, 0, false};
    case ParseStatus::too_short:
    case ParseStatus::too_long:
    case ParseStatus::bad_extension_field:
      return {RequestOutcome::dropped_malformed, 0, false};
  }
  const NtpHeader& req = parsed.packet.header;
  // NTPv1 clients send mode 0 for what later versions call client mode (ntpd answers them).
  const bool is_client =
      req.mode == NtpMode::client || (req.version == 1 && req.mode == NtpMode::reserved);
  if (req.mode == NtpMode::control && (flags & restrict_flag::noquery)) {
    return {RequestOutcome::dropped_restricted, 0, false};
  }
  const bool for_associations = req.mode == NtpMode::symmetric_active ||
                                req.mode == NtpMode::symmetric_passive ||
                                req.mode == NtpMode::broadcast;
  if (!is_client && !for_associations) return {RequestOutcome::dropped_mode, 0, false};
  if ((flags & restrict_flag::noserve) ||
      ((flags & restrict_flag::version) && req.version != kCurrentVersion)) {
    return {RequestOutcome::dropped_restricted, 0, false};
  }
  // Peers and broadcasters are the associations' business (in the main loop), MACs included.
  if (for_associations) return {RequestOutcome::association_packet, 0, false};
  if (out.size() < kMaxReplySize) return {RequestOutcome::dropped_malformed, 0, false};

  // A MAC is checked before anything is spent on the request: a trusted key, the digest length
  // of its type, the digest itself (constant-time).
  ReplyMac mac;
  if (parsed.packet.has_mac) {
    const PacketAuth checked =
        auth ? check_packet_mac(parsed.packet, request, auth->keys, auth->engine)
             : PacketAuth{PacketAuth::Result::bad, 0};
    if (checked.result == PacketAuth::Result::valid) {
      mac = ReplyMac{false, &auth->keys.keys.find(checked.key_id)->second};
    } else {
      mac = ReplyMac{true, nullptr};
    }
  }
  // notrust: only requests authenticated with a trusted key are served.
  if ((flags & restrict_flag::notrust) && !mac.key) {
    return {RequestOutcome::dropped_restricted, 0, false};
  }

  if (flags & restrict_flag::limited) {
    switch (limiter.check(context.source.address.unmapped(), context.monotonic_now,
                          (flags & restrict_flag::kod) != 0)) {
      case RateVerdict::pass:
        break;
      case RateVerdict::limited:
        return {RequestOutcome::dropped_rate_limited, 0, false};
      case RateVerdict::limited_send_kod:
        return answer_rate_kiss(parsed.packet,
                                static_cast<std::int8_t>(limiter.params().average_log2), out);
    }
  }
  return answer_client(parsed.packet, context, snapshot, out, mac, interleaved);
}

bool sign_reply(const Response& response, std::span<std::uint8_t> reply, MacEngine& engine) {
  if (!response.sign_with) return true;
  const std::size_t digest = kNtpHeaderSize + 4;
  return engine.compute(*response.sign_with, reply.first(kNtpHeaderSize),
                        reply.subspan(digest, mac_digest_length(response.sign_with->type)));
}

}  // namespace stratumd
