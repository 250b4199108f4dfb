#include "firmware/ntp/on_wire.hpp"

#include <algorithm>
#include <cmath>

namespace stratumd {
namespace {

constexpr double kPhi = 15e-6;         // s/s: the frequency tolerance RFC 5905 assumes
constexpr double kMaxDistance = 16.0;  // s: RFC 5905's MAXDIST

double to_double(NtpShort s) {
  return static_cast<double>(s.raw()) / 65536.0;
}

// Kisses and unsynchronised sources: no time to take.
std::optional<ReplyVerdict> check_header(const NtpHeader& packet) {
  if (packet.stratum == 0) {
    if (packet.reference_id == make_refid("RATE")) return ReplyVerdict::kiss_rate;
    if (packet.reference_id == make_refid("DENY")) return ReplyVerdict::kiss_deny;
    if (packet.reference_id == make_refid("RSTR")) return ReplyVerdict::kiss_restricted;
    return ReplyVerdict::kiss_other;
  }
  if (packet.leap == LeapIndicator::unsynchronised || packet.stratum > 15) {
    return ReplyVerdict::unsynchronised;
  }
  return std::nullopt;
}

void fill_system_fields(const NtpHeader& packet, OnWireSample& sample) {
  sample.root_delay = to_double(packet.root_delay);
  sample.root_dispersion = to_double(packet.root_dispersion);
  sample.stratum = packet.stratum;
  sample.reference_id = packet.reference_id;
  sample.leap = packet.leap;
}

ReplyVerdict within_distance(const OnWireSample& sample) {
  const double root_distance =
      (sample.root_delay + sample.delay) / 2.0 + sample.root_dispersion + sample.dispersion;
  return root_distance > kMaxDistance ? ReplyVerdict::too_far : ReplyVerdict::sample;
}

// The four-timestamp sample of client/server and symmetric modes: T1 = origin, T2 = receive,
// T3 = transmit, T4 = arrival here. A kiss is only believed after the origin check passed (a
// spoofed one cannot pass it).
ReplyVerdict sample_from(const NtpHeader& packet, UtcTime t1, UtcTime t4, std::int8_t our_precision,
                         OnWireSample& sample) {
  if (const auto bad = check_header(packet)) return *bad;
  const UtcTime t2 = packet.receive_time.to_utc(t4);
  const UtcTime t3 = packet.transmit_time.to_utc(t4);
  const double precision = std::ldexp(1.0, packet.precision) + std::ldexp(1.0, our_precision);
  sample.offset = (to_seconds(t2 - t1) + to_seconds(t3 - t4)) / 2.0;
  sample.delay = std::max(to_seconds((t4 - t1) - (t3 - t2)), precision);
  sample.dispersion = precision + kPhi * to_seconds(t4 - t1);
  fill_system_fields(packet, sample);
  return within_distance(sample);
}

}  // namespace

const char* to_string(ReplyVerdict verdict) {
  switch (verdict) {
    case ReplyVerdict::sample:
      return "sample";
    case ReplyVerdict::duplicate:
      return "duplicate";
    case ReplyVerdict::bogus_origin:
      return "bogus origin";
    case ReplyVerdict::zero_transmit:
      return "zero transmit";
    case ReplyVerdict::unsynchronised:
      return "server unsynchronised";
    case ReplyVerdict::too_far:
      return "root distance too large";
    case ReplyVerdict::kiss_rate:
      return "kiss RATE";
    case ReplyVerdict::kiss_deny:
      return "kiss DENY";
    case ReplyVerdict::kiss_restricted:
      return "kiss RSTR";
    case ReplyVerdict::kiss_other:
      return "kiss";
    case ReplyVerdict::not_server:
      return "not a server reply";
    case ReplyVerdict::wrong_mode:
      return "wrong mode";
    case ReplyVerdict::no_origin:
      return "peer has not heard from us yet";
    case ReplyVerdict::bad_auth:
      return "authentication failed";
    case ReplyVerdict::malformed:
      return "malformed";
  }
  return "?";
}

ReplyVerdict ClientOnWire::receive(const NtpHeader& reply, UtcTime t4, std::int8_t our_precision,
                                   OnWireSample& sample) {
  if (reply.mode != NtpMode::server) return ReplyVerdict::not_server;
  if (reply.transmit_time.is_zero()) return ReplyVerdict::zero_transmit;
  if (last_transmit_seen_ && reply.transmit_time == *last_transmit_seen_) {
    return ReplyVerdict::duplicate;
  }
  if (!last_sent_ || reply.origin_time != *last_sent_) return ReplyVerdict::bogus_origin;
  // Answered: a second reply to the same request is a replay from here on.
  last_transmit_seen_ = reply.transmit_time;
  last_sent_.reset();

  return sample_from(reply, last_sent_at_, t4, our_precision, sample);
}

void SymmetricOnWire::prepare(NtpHeader& packet, NtpTimestamp transmit) {
  packet.origin_time = peer_transmit_;
  packet.receive_time = peer_arrival_;
  packet.transmit_time = transmit;
  our_last_transmit_ = transmit;
}

ReplyVerdict SymmetricOnWire::receive(const NtpHeader& packet, UtcTime t4,
                                      std::int8_t our_precision, OnWireSample& sample) {
  if (packet.mode != NtpMode::symmetric_active && packet.mode != NtpMode::symmetric_passive) {
    return ReplyVerdict::wrong_mode;
  }
  if (packet.transmit_time.is_zero()) return ReplyVerdict::zero_transmit;
  if (packet.transmit_time == peer_transmit_) return ReplyVerdict::duplicate;
  // Whatever the origin says, this is the peer's latest packet: our next one answers it.
  peer_transmit_ = packet.transmit_time;
  peer_arrival_ = NtpTimestamp::from_utc(t4);
  if (packet.origin_time.is_zero() || packet.receive_time.is_zero()) return ReplyVerdict::no_origin;
  if (!our_last_transmit_ || packet.origin_time != *our_last_transmit_) {
    return ReplyVerdict::bogus_origin;
  }
  our_last_transmit_.reset();  // answered: a second packet echoing it is a replay
  return sample_from(packet, packet.origin_time.to_utc(t4), t4, our_precision, sample);
}

ReplyVerdict BroadcastOnWire::receive(const NtpHeader& packet, UtcTime t4,
                                      std::int8_t our_precision, double one_way_delay,
                                      OnWireSample& sample) {
  if (packet.mode != NtpMode::broadcast) return ReplyVerdict::wrong_mode;
  if (packet.transmit_time.is_zero()) return ReplyVerdict::zero_transmit;
  const UtcTime t3 = packet.transmit_time.to_utc(t4);
  if (newest_transmit_ && t3 <= *newest_transmit_) return ReplyVerdict::duplicate;
  newest_transmit_ = t3;
  if (const auto bad = check_header(packet)) return *bad;
  const double precision = std::ldexp(1.0, packet.precision) + std::ldexp(1.0, our_precision);
  sample.offset = to_seconds(t3 - t4) + one_way_delay;
  sample.delay = std::max(2.0 * one_way_delay, precision);
  sample.dispersion = precision;
  fill_system_fields(packet, sample);
  return within_distance(sample);
}

}  // namespace stratumd
