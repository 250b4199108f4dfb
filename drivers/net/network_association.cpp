#include "drivers/net/network_association.hpp"

#include <algorithm>

namespace stratumd {
namespace {

constexpr double kMaxDistance = 1.5;  // s: RFC 5905's MAXDIST plus ntpd's slack

}  // namespace

const SymmetricKey* association_key(const AssociationContext& context, std::uint32_t id) {
  const AuthSettings& auth = context.keys();
  const auto it = auth.keys.find(id);
  return it != auth.keys.end() && auth.trusts(id) ? &it->second : nullptr;
}

std::uint16_t flash_for(ReplyVerdict verdict) {
  switch (verdict) {
    case ReplyVerdict::sample:
      return 0;
    case ReplyVerdict::duplicate:
      return flash_bit::duplicate;
    case ReplyVerdict::bogus_origin:
      return flash_bit::bogus;
    case ReplyVerdict::zero_transmit:
    case ReplyVerdict::no_origin:
      return flash_bit::invalid;
    case ReplyVerdict::unsynchronised:
      return flash_bit::unsynchronised;
    case ReplyVerdict::too_far:
      return flash_bit::distance;
    case ReplyVerdict::kiss_deny:
    case ReplyVerdict::kiss_restricted:
      return flash_bit::access;
    case ReplyVerdict::bad_auth:
      return flash_bit::auth;
    case ReplyVerdict::kiss_rate:
    case ReplyVerdict::kiss_other:
    case ReplyVerdict::not_server:
    case ReplyVerdict::wrong_mode:
    case ReplyVerdict::malformed:
      return flash_bit::header;
  }
  return flash_bit::header;
}

double UpstreamStatus::root_distance() const {
  if (!filtered) return 16.0;
  return std::max(1e-6, (root_delay + filtered->chosen.delay) / 2.0) + root_dispersion +
         filtered->dispersion + filtered->jitter;
}

bool UpstreamStatus::usable() const {
  return reach != 0 && filtered && stratum < 16 && !stopped && root_distance() < kMaxDistance;
}

Candidate UpstreamStatus::candidate() const {
  Candidate c;
  c.offset = filtered ? filtered->chosen.offset : 0.0;
  c.root_distance = root_distance();
  c.jitter = filtered ? filtered->jitter : 0.0;
  c.stratum = stratum;
  return c;
}

void UpstreamStatus::count_refused(ReplyVerdict verdict) {
  flash = flash_for(verdict);
  switch (verdict) {
    case ReplyVerdict::sample:
      return;
    case ReplyVerdict::duplicate:
      ++refused.duplicate;
      return;
    case ReplyVerdict::bogus_origin:
      ++refused.bogus_origin;
      return;
    case ReplyVerdict::bad_auth:
      ++refused.bad_auth;
      return;
    default:
      ++refused.other;
      return;
  }
}

}  // namespace stratumd
