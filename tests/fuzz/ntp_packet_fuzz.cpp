// The server's packet path: whatever arrives on port 123 is parsed, checked against its MAC and
// answered (or dropped) without reading or writing out of bounds, and an answer always fits.
#include <cstddef>
#include <cstdint>
#include <span>

#include "firmware/ntp/interleaved_timestamps.hpp"
#include "firmware/ntp/packet_mac.hpp"
#include "firmware/ntp/rate_limiter.hpp"
#include "firmware/ntp/reference_id.hpp"
#include "firmware/ntp/responder.hpp"
#include "firmware/ntp/restrict_table.hpp"

using namespace stratumd;

namespace {

ClockSnapshot locked() {
  ClockSnapshot s;
  s.state = SyncState::locked;
  s.leap = LeapIndicator::none;
  s.stratum = 1;
  s.precision = -24;
  s.reference_id = make_refid("PPS");
  s.reference_time = UtcTime{std::chrono::seconds{1'800'000'000}};
  s.root_dispersion = std::chrono::microseconds{10};
  return s;
}

AuthSettings keys() {
  AuthSettings auth;
  auth.keys[1] = SymmetricKey{1, KeyType::sha1, {'k', 'e', 'y', 'o', 'n', 'e'}};
  auth.keys[2] = SymmetricKey{2, KeyType::md5, {'t', 'w', 'o'}};
  auth.trusted = {{1, "/fuzz", 1}};
  return auth;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const ClockSnapshot snapshot = locked();
  static const AuthSettings auth = keys();
  static MacEngine engine;
  static RateLimiter limiter;
  static InterleavedTimestamps interleaved(6);
  static const RestrictTable restrictions;
  static std::int64_t tick = 0;
  const std::span<const std::uint8_t> bytes(data, size);

  const ParseResult parsed = parse_ntp_packet(bytes);
  if (parsed.status == ParseStatus::ok) check_packet_mac(parsed.packet, bytes, auth, engine);

  ++tick;
  const UtcTime now = snapshot.reference_time + std::chrono::milliseconds{tick};
  const RequestContext context{
      {*IpAddress::parse("192.0.2.7"), 40123}, now, std::chrono::seconds{tick}};
  std::array<std::uint8_t, kMaxReplySize> reply{};
  const RequestAuth request_auth{auth, engine};
  const Response response = handle_request(bytes, context, snapshot, restrictions, limiter, reply,
                                           &request_auth, &interleaved);
  if (response.length > reply.size()) __builtin_trap();
  if (response.needs_transmit_stamp) stamp_transmit(reply, now);
  if (response.sign_with && !sign_reply(response, reply, engine)) __builtin_trap();
  if (response.send()) {
    interleaved.remember(NtpTimestamp::from_utc(now), NtpTimestamp::from_utc(now));
    // What we send must parse as a packet of our own.
    if (parse_ntp_packet(std::span(reply.data(), response.length)).status != ParseStatus::ok) {
      __builtin_trap();
    }
  }
  return 0;
}
