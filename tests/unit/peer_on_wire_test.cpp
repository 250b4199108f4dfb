// The symmetric (modes 1/2) and broadcast-client on-wire protocols, two simulated hosts talking
// through constructed packets: offsets and delays from each side's view, and the bad-packet tests
// (replays, bogus origins, a peer's first packet, wrong modes, unsynchronised broadcasters).
#include <gtest/gtest.h>

#include "firmware/ntp/on_wire.hpp"

namespace stratumd {
namespace {

using namespace std::chrono_literals;
const UtcTime kStart{std::chrono::seconds{1'790'000'000}};

NtpHeader symmetric_packet(NtpMode mode) {
  NtpHeader h;
  h.leap = LeapIndicator::none;
  h.mode = mode;
  h.stratum = 1;
  h.precision = -20;
  h.reference_id = make_refid("GPS");
  return h;
}

// Host B's clock runs 3 ms ahead of host A's; 7 ms each way.
constexpr auto kSkew = 3ms;
constexpr auto kOneWay = 7ms;

TEST(SymmetricOnWire, BothPeersMeasureTheSameOffsetFromEachOthersPackets) {
  SymmetricOnWire a, b;
  OnWireSample s;
  // A calls first (active): B has nothing to echo yet.
  UtcTime a_time = kStart;
  NtpHeader from_a = symmetric_packet(NtpMode::symmetric_active);
  a.prepare(from_a, NtpTimestamp::from_utc(a_time));
  EXPECT_TRUE(from_a.origin_time.is_zero());
  UtcTime b_arrival = a_time + kOneWay + kSkew;
  EXPECT_EQ(b.receive(from_a, b_arrival, -20, s), ReplyVerdict::no_origin);

  // B answers 2 ms later (passive); A now measures.
  const UtcTime b_time = b_arrival + 2ms;
  NtpHeader from_b = symmetric_packet(NtpMode::symmetric_passive);
  b.prepare(from_b, NtpTimestamp::from_utc(b_time));
  EXPECT_EQ(from_b.origin_time, from_a.transmit_time);
  const UtcTime a_arrival = b_time - kSkew + kOneWay;
  ASSERT_EQ(a.receive(from_b, a_arrival, -20, s), ReplyVerdict::sample);
  EXPECT_NEAR(s.offset, 0.003, 1e-6);  // B is ahead
  EXPECT_NEAR(s.delay, 0.014, 1e-6);

  // A's next packet (its poll later) lets B measure too: the mirror image.
  a_time = a_arrival + 64s;
  from_a = symmetric_packet(NtpMode::symmetric_active);
  a.prepare(from_a, NtpTimestamp::from_utc(a_time));
  EXPECT_EQ(from_a.origin_time, from_b.transmit_time);
  b_arrival = a_time + kOneWay + kSkew;
  ASSERT_EQ(b.receive(from_a, b_arrival, -20, s), ReplyVerdict::sample);
  EXPECT_NEAR(s.offset, -0.003, 1e-6);
  // 64 s held at A counts as turnaround, not as delay.
  EXPECT_NEAR(s.delay, 0.014, 1e-6);
}

TEST(SymmetricOnWire, ReplaysBogusOriginsZeroTransmitAndOtherModesAreRefused) {
  SymmetricOnWire a, b;
  OnWireSample s;
  NtpHeader from_a = symmetric_packet(NtpMode::symmetric_active);
  a.prepare(from_a, NtpTimestamp::from_utc(kStart));
  ASSERT_EQ(b.receive(from_a, kStart + 10ms, -20, s), ReplyVerdict::no_origin);
  EXPECT_EQ(b.receive(from_a, kStart + 11ms, -20, s), ReplyVerdict::duplicate);
  NtpHeader from_b = symmetric_packet(NtpMode::symmetric_passive);
  b.prepare(from_b, NtpTimestamp::from_utc(kStart + 12ms));

  NtpHeader zero = from_b;
  zero.transmit_time = NtpTimestamp{};
  EXPECT_EQ(a.receive(zero, kStart + 20ms, -20, s), ReplyVerdict::zero_transmit);
  NtpHeader server = from_b;
  server.mode = NtpMode::server;
  EXPECT_EQ(a.receive(server, kStart + 20ms, -20, s), ReplyVerdict::wrong_mode);
  NtpHeader forged = from_b;
  forged.origin_time = NtpTimestamp::from_utc(kStart - 1s);
  forged.transmit_time = NtpTimestamp::from_utc(kStart + 13ms);
  EXPECT_EQ(a.receive(forged, kStart + 20ms, -20, s), ReplyVerdict::bogus_origin);
  // The genuine packet still echoes A's last transmit: accepted once, then a replay.
  ASSERT_EQ(a.receive(from_b, kStart + 21ms, -20, s), ReplyVerdict::sample);
  EXPECT_EQ(a.receive(from_b, kStart + 22ms, -20, s), ReplyVerdict::duplicate);
  NtpHeader again = from_b;
  again.transmit_time = NtpTimestamp::from_utc(kStart + 14ms);
  EXPECT_EQ(a.receive(again, kStart + 23ms, -20, s), ReplyVerdict::bogus_origin)
      << "a second packet echoing the same transmit time is a replay of the exchange";

  NtpHeader unsynchronised = symmetric_packet(NtpMode::symmetric_passive);
  unsynchronised.leap = LeapIndicator::unsynchronised;
  a.prepare(from_a, NtpTimestamp::from_utc(kStart + 30s));
  b.prepare(unsynchronised, NtpTimestamp::from_utc(kStart + 31s));
  b.receive(from_a, kStart + 30s + 10ms, -20, s);
  unsynchronised.origin_time = from_a.transmit_time;
  unsynchronised.receive_time = NtpTimestamp::from_utc(kStart + 30s + 10ms);
  EXPECT_EQ(a.receive(unsynchronised, kStart + 31s + 10ms, -20, s), ReplyVerdict::unsynchronised);
}

NtpHeader broadcast_at(UtcTime t3) {
  NtpHeader h = symmetric_packet(NtpMode::broadcast);
  h.transmit_time = NtpTimestamp::from_utc(t3);
  return h;
}

TEST(BroadcastOnWire, OffsetIsTransmitMinusArrivalPlusTheOneWayDelay) {
  BroadcastOnWire wire;
  OnWireSample s;
  // The broadcaster is 3 ms ahead; the packet takes 7 ms.
  const UtcTime t3 = kStart + kSkew;
  ASSERT_EQ(wire.receive(broadcast_at(t3), kStart + kOneWay, -20, 0.007, s), ReplyVerdict::sample);
  EXPECT_NEAR(s.offset, 0.003, 1e-6);
  EXPECT_NEAR(s.delay, 0.014, 1e-6);
  // A wrong delay assumption shows up one for one in the offset: why calibration matters.
  ASSERT_EQ(wire.receive(broadcast_at(t3 + 64s), kStart + 64s + kOneWay, -20, 0.004, s),
            ReplyVerdict::sample);
  EXPECT_NEAR(s.offset, 0.0, 1e-6);
}

TEST(BroadcastOnWire, ReplaysZeroTransmitOtherModesAndUnsynchronisedAreRefused) {
  BroadcastOnWire wire;
  OnWireSample s;
  const NtpHeader good = broadcast_at(kStart);
  ASSERT_EQ(wire.receive(good, kStart + 1ms, -20, 0.0, s), ReplyVerdict::sample);
  EXPECT_EQ(wire.receive(good, kStart + 2ms, -20, 0.0, s), ReplyVerdict::duplicate);
  // A newer one, then the old one replayed: still a replay.
  ASSERT_EQ(wire.receive(broadcast_at(kStart + 8s), kStart + 8s, -20, 0.0, s),
            ReplyVerdict::sample);
  EXPECT_EQ(wire.receive(good, kStart + 9s, -20, 0.0, s), ReplyVerdict::duplicate);
  NtpHeader zero = good;
  zero.transmit_time = NtpTimestamp{};
  EXPECT_EQ(wire.receive(zero, kStart + 2ms, -20, 0.0, s), ReplyVerdict::zero_transmit);
  NtpHeader server = broadcast_at(kStart + 10s);
  server.mode = NtpMode::server;
  EXPECT_EQ(wire.receive(server, kStart + 10s, -20, 0.0, s), ReplyVerdict::wrong_mode);
  NtpHeader unsynchronised = broadcast_at(kStart + 12s);
  unsynchronised.stratum = 0;
  unsynchronised.reference_id = make_refid("INIT");
  EXPECT_EQ(wire.receive(unsynchronised, kStart + 12s, -20, 0.0, s), ReplyVerdict::kiss_other);
}

}  // namespace
}  // namespace stratumd
