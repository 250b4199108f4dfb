// The client on-wire tests and the clock filter, on constructed replies: RFC 5905's arithmetic
// and its bad-packet tests (replays, bogus origins, zero transmit, spoofed kisses).
#include "firmware/ntp/on_wire.hpp"

#include <gtest/gtest.h>

#include "firmware/ntp/clock_filter.hpp"

namespace stratumd {
namespace {

using namespace std::chrono_literals;
const UtcTime kT1{std::chrono::seconds{1'790'000'000}};

NtpHeader reply_to(NtpTimestamp origin, UtcTime t2, UtcTime t3) {
  NtpHeader h;
  h.leap = LeapIndicator::none;
  h.mode = NtpMode::server;
  h.stratum = 2;
  h.precision = -20;
  h.reference_id = make_refid("GPS");
  h.origin_time = origin;
  h.receive_time = NtpTimestamp::from_utc(t2);
  h.transmit_time = NtpTimestamp::from_utc(t3);
  h.root_delay = NtpShort::from_duration(1ms);
  h.root_dispersion = NtpShort::from_duration(2ms);
  return h;
}

// The request carries a random transmit timestamp: the reply must echo it, and T1 is the time we
// kept beside it, not anything on the wire.
const NtpTimestamp kNonce{0x8badf00d'12345678ULL};

TEST(OnWire, OffsetAndDelayFromTheFourTimestamps) {
  ClientOnWire wire;
  const NtpTimestamp t1 = kNonce;
  wire.sent(t1, kT1);
  // The server is 5 ms ahead; 10 ms each way; it holds the request 1 ms.
  const UtcTime t2 = kT1 + 10ms + 5ms;
  const UtcTime t3 = t2 + 1ms;
  const UtcTime t4 = kT1 + 21ms;
  OnWireSample s;
  ASSERT_EQ(wire.receive(reply_to(t1, t2, t3), t4, -20, s), ReplyVerdict::sample);
  EXPECT_NEAR(s.offset, 0.005, 1e-6);
  EXPECT_NEAR(s.delay, 0.020, 1e-6);
  EXPECT_NEAR(s.root_delay, 0.001, 2e-5);
  EXPECT_NEAR(s.root_dispersion, 0.002, 2e-5);
  EXPECT_GT(s.dispersion, 0.0);
  EXPECT_EQ(s.stratum, 2);
}

TEST(OnWire, ReplaysBogusOriginsZeroTransmitAndSpoofedKissesAreRefused) {
  ClientOnWire wire;
  const NtpTimestamp t1 = kNonce;
  const NtpHeader good = reply_to(t1, kT1 + 10ms, kT1 + 11ms);
  OnWireSample s;
  // Nothing sent yet: not ours.
  EXPECT_EQ(wire.receive(good, kT1 + 20ms, -20, s), ReplyVerdict::bogus_origin);
  wire.sent(t1, kT1);
  NtpHeader zero = good;
  zero.transmit_time = NtpTimestamp{};
  EXPECT_EQ(wire.receive(zero, kT1 + 20ms, -20, s), ReplyVerdict::zero_transmit);
  NtpHeader other = good;
  other.origin_time = NtpTimestamp::from_utc(kT1);  // our clock's time: not what we sent
  EXPECT_EQ(wire.receive(other, kT1 + 20ms, -20, s), ReplyVerdict::bogus_origin);
  // A spoofed RATE kiss with a wrong origin is not believed.
  NtpHeader spoofed_kiss = other;
  spoofed_kiss.stratum = 0;
  spoofed_kiss.reference_id = make_refid("RATE");
  EXPECT_EQ(wire.receive(spoofed_kiss, kT1 + 20ms, -20, s), ReplyVerdict::bogus_origin);
  ASSERT_EQ(wire.receive(good, kT1 + 20ms, -20, s), ReplyVerdict::sample);
  // The same reply again: a replay.
  EXPECT_EQ(wire.receive(good, kT1 + 25ms, -20, s), ReplyVerdict::duplicate);
  // A new request: a reply that answers it but repeats the old transmit time is still a replay.
  const NtpTimestamp t1b{kNonce.raw() + 77};
  wire.sent(t1b, kT1 + 16s);
  NtpHeader stale = good;
  stale.origin_time = t1b;
  EXPECT_EQ(wire.receive(stale, kT1 + 16s + 20ms, -20, s), ReplyVerdict::duplicate);
}

TEST(OnWire, KissesAndUnsynchronisedServers) {
  const NtpTimestamp t1 = kNonce;
  OnWireSample s;
  for (const auto& [code, verdict] : {std::pair{make_refid("RATE"), ReplyVerdict::kiss_rate},
                                      std::pair{make_refid("DENY"), ReplyVerdict::kiss_deny},
                                      std::pair{make_refid("RSTR"), ReplyVerdict::kiss_restricted},
                                      std::pair{make_refid("INIT"), ReplyVerdict::kiss_other}}) {
    ClientOnWire wire;
    wire.sent(t1, kT1);
    NtpHeader kiss = reply_to(t1, kT1 + 10ms, kT1 + 11ms);
    kiss.stratum = 0;
    kiss.reference_id = code;
    EXPECT_EQ(wire.receive(kiss, kT1 + 20ms, -20, s), verdict);
  }
  ClientOnWire wire;
  wire.sent(t1, kT1);
  NtpHeader unsynced = reply_to(t1, kT1 + 10ms, kT1 + 11ms);
  unsynced.leap = LeapIndicator::unsynchronised;
  EXPECT_EQ(wire.receive(unsynced, kT1 + 20ms, -20, s), ReplyVerdict::unsynchronised);
  ClientOnWire far;
  far.sent(t1, kT1);
  NtpHeader distant = reply_to(t1, kT1 + 10ms, kT1 + 11ms);
  distant.root_dispersion = NtpShort::from_duration(20s);
  EXPECT_EQ(far.receive(distant, kT1 + 20ms, -20, s), ReplyVerdict::too_far);
}

TEST(ClockFilter, PicksTheLowestDelayAndNeverGoesBackInTime) {
  ClockFilter filter;
  const auto at = [](int s) { return kT1 + std::chrono::seconds{s}; };
  auto out = filter.add({0.010, 0.050, 1e-4, at(0)}, 1e-6);
  ASSERT_TRUE(out.fresh);
  EXPECT_DOUBLE_EQ(out.chosen.offset, 0.010);
  // A lower-delay sample arrives: chosen.
  out = filter.add({0.001, 0.010, 1e-4, at(16)}, 1e-6);
  ASSERT_TRUE(out.fresh);
  EXPECT_DOUBLE_EQ(out.chosen.offset, 0.001);
  const double two_stage_dispersion = out.dispersion;
  // A congested sample: the low-delay one stays chosen, and it was used already; the dispersion
  // still falls as the filter fills.
  out = filter.add({0.030, 0.200, 1e-4, at(32)}, 1e-6);
  EXPECT_FALSE(out.fresh);
  EXPECT_DOUBLE_EQ(out.chosen.offset, 0.001);
  EXPECT_LT(out.dispersion, two_stage_dispersion);
  // The jitter reflects the spread of the stages around the chosen sample.
  out = filter.add({0.0012, 0.009, 1e-4, at(48)}, 1e-6);
  ASSERT_TRUE(out.fresh);
  EXPECT_DOUBLE_EQ(out.chosen.offset, 0.0012);
  EXPECT_GT(out.jitter, 0.005);
  EXPECT_GT(out.dispersion, 0.0);
  EXPECT_EQ(filter.count(), 4u);
}

}  // namespace
}  // namespace stratumd

#include "firmware/clock/sim_clock.hpp"
#include "firmware/ntp/association_state.hpp"

namespace stratumd {
namespace {

// What goes on the wire: a transmit timestamp that says nothing of our clock and that no one can
// predict (two requests never alike), as chrony and ntpd-rs send.
TEST(ClientRequest, CarriesARandomTransmitTimestamp) {
  SimClock clock(kT1, 0ms, OscillatorParams{});
  AuthSettings keys;
  MacEngine mac;
  SystemRandom random;  // the daemon's source
  const AssociationCore context{-20, [&]() -> const AuthSettings& { return keys; }, mac, random,
                                [](auto&) {}};
  const NtpTimestamp now = NtpTimestamp::from_utc(clock.now());
  const NtpHeader a = client_request(context, 4, 6);
  const NtpHeader b = client_request(context, 4, 6);
  EXPECT_NE(a.transmit_time, b.transmit_time);
  for (const NtpHeader& h : {a, b}) {
    EXPECT_FALSE(h.transmit_time.is_zero());
    // Not our clock's reading (a random 64-bit value falls within a second of it once in 10^9).
    const auto apart = static_cast<std::int64_t>(h.transmit_time.seconds()) - now.seconds();
    EXPECT_GT(std::abs(apart), 1) << h.transmit_time.raw();
  }
}

TEST(ClientRequest, ASeededSourceReplaysTheSameNonces) {
  AuthSettings keys;
  MacEngine mac;
  const auto nonces = [&](std::uint64_t seed) {
    SeededRandom random(seed);
    const AssociationCore context{-20, [&]() -> const AuthSettings& { return keys; }, mac, random,
                                  [](auto&) {}};
    return std::vector<NtpTimestamp>{client_request(context, 4, 6).transmit_time,
                                     client_request(context, 4, 6).transmit_time};
  };
  EXPECT_EQ(nonces(7), nonces(7));
  EXPECT_NE(nonces(7), nonces(8));
  EXPECT_NE(nonces(7)[0], nonces(7)[1]);
}

}  // namespace
}  // namespace stratumd
