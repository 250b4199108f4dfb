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

  if (reply.stratum == 0) {
    // A kiss is only believed because it passed the origin check (a spoofed one cannot).
    if (reply.reference_id == make_refid("RATE")) return ReplyVerdict::kiss_rate;
    if (reply.reference_id == make_refid("DENY")) return ReplyVerdict::kiss_deny;
    if (reply.reference_id == make_refid("RSTR")) return ReplyVerdict::kiss_restricted;
    return ReplyVerdict::kiss_other;
  }
  if (reply.leap == LeapIndicator::unsynchronised || reply.stratum > 15) {
    return ReplyVerdict::unsynchronised;
  }
  const UtcTime pivot = t4;
  const UtcTime t1 = reply.origin_time.to_utc(pivot);
  const UtcTime t2 = reply.receive_time.to_utc(pivot);
  const UtcTime t3 = reply.transmit_time.to_utc(pivot);
  const double precision = std::ldexp(1.0, reply.precision) + std::ldexp(1.0, our_precision);
  sample.offset = (to_seconds(t2 - t1) + to_seconds(t3 - t4)) / 2.0;
  sample.delay = std::max(to_seconds((t4 - t1) - (t3 - t2)), precision);
  sample.dispersion = precision + kPhi * to_seconds(t4 - t1);
  sample.root_delay = to_double(reply.root_delay);
  sample.root_dispersion = to_double(reply.root_dispersion);
  sample.stratum = reply.stratum;
  sample.reference_id = reply.reference_id;
  sample.leap = reply.leap;
  const double root_distance =
      (sample.root_delay + sample.delay) / 2.0 + sample.root_dispersion + sample.dispersion;
  if (root_distance > kMaxDistance) return ReplyVerdict::too_far;
  return ReplyVerdict::sample;
}

}  // namespace stratumd
