#include "firmware/ntp/association_state.hpp"

#include <algorithm>
#include <cmath>
#include <random>

namespace stratumd {
namespace {

constexpr double kMaxDistance = 1.5;  // s: RFC 5905's MAXDIST plus ntpd's slack
// s: the least noise a network sample carries, however little it was queued (timestamping in
// both hosts' kernels and drivers).
constexpr double kLeastSampleNoise = 1e-6;

}  // namespace

const SymmetricKey* association_key(const AssociationCore& context, std::uint32_t id) {
  const AuthSettings& auth = context.keys();
  const auto it = auth.keys.find(id);
  return it != auth.keys.end() && auth.trusts(id) ? &it->second : nullptr;
}

std::size_t serialize_packet(const AssociationCore& context, const NtpHeader& header,
                             std::optional<std::uint32_t> key_id,
                             std::span<std::uint8_t, kMaxSentPacket> out) {
  const std::size_t length = serialize_ntp_header(header, out.first<kNtpHeaderSize>());
  if (!key_id) return length;
  const SymmetricKey* key = association_key(context, *key_id);
  return key ? append_mac(out, length, *key, context.mac) : 0;
}

NtpHeader client_request(const AssociationCore& context, int version, int poll) {
  NtpHeader request;
  request.mode = NtpMode::client;
  request.version = static_cast<std::uint8_t>(version);
  request.poll = static_cast<std::int8_t>(poll);
  request.precision = context.precision;
  // A random transmit timestamp: our clock is nobody's business, and an off-path attacker
  // cannot guess the origin a forged reply must carry. T1 is kept beside it (ClientOnWire).
  std::uint64_t nonce = 0;
  while (nonce == 0) nonce = context.random.next();
  request.transmit_time = NtpTimestamp{nonce};
  return request;
}

FilterOutput record_sample(const AssociationCore& context, UpstreamStatus& status,
                           ClockFilter& filter, const OnWireSample& sample, UtcTime when) {
  ++status.received;
  status.reach |= 1;
  status.stratum = sample.stratum;
  status.reference_id = sample.reference_id;
  status.root_delay = sample.root_delay;
  status.root_dispersion = sample.root_dispersion;
  const FilterSample taken{sample.offset, sample.delay, sample.dispersion, when};
  status.filtered = filter.add(taken, std::ldexp(1.0, context.precision));
  status.delay_floor.add(sample.delay);
  status.latest = taken;
  status.latest_variance = status.delay_floor.sample_variance(
      sample.delay, std::max(kLeastSampleNoise, std::ldexp(1.0, context.precision)));
  return *status.filtered;
}

bool take_line(const AssociationLine& next, AssociationLine& config, UpstreamStatus& status,
               PollAdapter& poll) {
  const bool key_changed = next.key != config.key;
  status.key_id = next.key.value_or(0);
  config = next;
  poll.set_range(next.minpoll, next.maxpoll);
  return key_changed;
}

void shift_samples(UpstreamStatus& status, ClockFilter& filter, Nanoseconds step) {
  filter.shift(step);
  if (status.filtered) {
    shift_sample(status.filtered->chosen, step);
    status.filtered->trend_offset -= to_seconds(step);
    status.filtered->trend_at += step;
  }
  if (status.latest) shift_sample(*status.latest, step);
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

double UpstreamStatus::sample_distance() const {
  if (!filtered) return 16.0;
  return std::max(1e-6, (root_delay + filtered->chosen.delay) / 2.0) + root_dispersion +
         filtered->jitter;
}

double UpstreamStatus::root_distance() const {
  return filtered ? sample_distance() + filtered->dispersion : 16.0;
}

bool UpstreamStatus::answered() const {
  return reach != 0 && filtered && stratum < 16 && !stopped;
}

bool UpstreamStatus::usable() const {
  return answered() && root_distance() < kMaxDistance;
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
