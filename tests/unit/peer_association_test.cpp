// The symmetric association's state machine with no socket: two of them, an active and a passive
// peer on clocks 3 ms apart, exchange packets through the test, which plays the network.
#include "firmware/ntp/peer_association.hpp"

#include <gtest/gtest.h>

#include "tests/unit/association_test_support.hpp"

#include <string>
#include <vector>

namespace stratumd {
namespace {

using namespace std::chrono_literals;

class PeerAssociationTest : public AssociationFixture {
 protected:
  PeerAssociationTest() { trust_key(3, 0x17); }

  AssociationLine line(std::optional<std::uint32_t> key = std::nullopt, int minpoll = 6) {
    AssociationLine l;
    l.kind = AssociationLine::Kind::peer;
    l.minpoll = minpoll;
    l.maxpoll = 10;
    l.key = key;
    return l;
  }
  // Locked on a GPS, last updated a second ago.
  SnapshotSource synchronised_clock() {
    return [this] {
      ClockSnapshot s;
      s.stratum = 1;
      s.leap = LeapIndicator::none;
      s.reference_id = make_refid("GPS");
      s.reference_time = t - 1s;
      return s;
    };
  }
  // What a runner does with the actions: the packet leaves (copied, as the network would).
  static std::vector<std::uint8_t> sent(PeerAssociation& p, const AssociationActions& actions) {
    p.transmitting(UtcTime{});
    p.transmitted();
    return {actions.send.begin(), actions.send.end()};
  }

  // True time; A's clock reads it, B's clock reads it + 3 ms; 5 ms each way.
  UtcTime t{std::chrono::seconds{1'790'000'000}};
  static constexpr std::chrono::milliseconds kBAhead{3};
  static constexpr std::chrono::milliseconds kPath{5};
};

TEST_F(PeerAssociationTest, TwoPeersMeasureEachOther) {
  PeerAssociation a(core, line(), *IpAddress::parse("192.0.2.2"), true, synchronised_clock());
  PeerAssociation b(core, line(), *IpAddress::parse("192.0.2.1"), false, synchronised_clock());
  EXPECT_EQ(a.status().host_mode, kHostModeActive);
  EXPECT_EQ(b.status().host_mode, kHostModePassive);

  std::vector<std::uint8_t> packet = sent(a, a.start(t));
  t += kPath;
  // Nothing of B's to echo yet: expected, not refused, not a sample.
  AssociationActions actions = b.on_packet(packet, t + kBAhead);
  EXPECT_FALSE(actions.updated);
  EXPECT_EQ(b.status().refused.total(), 0u);
  t += 1s;
  packet = sent(b, b.start(t + kBAhead));
  t += kPath;
  actions = a.on_packet(packet, t);
  EXPECT_TRUE(actions.updated);
  ASSERT_TRUE(a.status().filtered.has_value());
  EXPECT_NEAR(a.status().filtered->chosen.offset, 0.003, 1e-6);
  EXPECT_NEAR(a.status().filtered->chosen.delay, 0.010, 1e-6);
  EXPECT_EQ(a.status().reach, 1);

  t += 1s;
  packet = sent(a, a.on_timer(t));
  t += kPath;
  actions = b.on_packet(packet, t + kBAhead);
  EXPECT_TRUE(actions.updated);
  ASSERT_TRUE(b.status().filtered.has_value());
  EXPECT_NEAR(b.status().filtered->chosen.offset, -0.003, 1e-6);
  // The same packet again is a replay.
  b.on_packet(packet, t + kBAhead + 1ms);
  EXPECT_EQ(b.status().refused.duplicate, 1u);
}

TEST_F(PeerAssociationTest, PollsAtTheLowerOfTheTwoIntervalsStretchedByUpToASixteenth) {
  PeerAssociation a(core, line(std::nullopt, 6), *IpAddress::parse("192.0.2.2"), true,
                    synchronised_clock());
  PeerAssociation b(core, line(std::nullopt, 4), *IpAddress::parse("192.0.2.1"), false,
                    synchronised_clock());
  const AssociationActions first = a.start(t);
  ASSERT_TRUE(first.timer.has_value());
  EXPECT_GE(*first.timer, std::chrono::nanoseconds{64s});
  EXPECT_LE(*first.timer, std::chrono::nanoseconds{68s});
  // B polls every 16 s: A hears that, but keeps its own minpoll as the floor.
  a.on_packet(sent(b, b.start(t)), t + kPath);
  EXPECT_EQ(a.status().peer_poll_log2, 4);
  const AssociationActions next = a.on_timer(t + 64s);
  EXPECT_EQ(a.status().poll_log2, 6);
  EXPECT_LE(*next.timer, std::chrono::nanoseconds{68s});
}

TEST_F(PeerAssociationTest, ThePollSpreadReplaysWithTheSeed) {
  // The spread comes from the injected source: the same seed, the same schedule and packets.
  const auto run = [&](std::uint64_t seed) {
    SeededRandom seeded(seed);
    const AssociationCore seeded_core{-20, core.keys, mac, seeded, core.log};
    PeerAssociation a(seeded_core, line(), *IpAddress::parse("192.0.2.2"), true,
                      synchronised_clock());
    std::vector<std::int64_t> timers;
    UtcTime now = t;
    AssociationActions actions = a.start(now);
    for (int i = 0; i < 4; ++i) {
      timers.push_back(actions.timer->count());
      now += *actions.timer;
      sent(a, actions);
      actions = a.on_timer(now);
    }
    return timers;
  };
  EXPECT_EQ(run(11), run(11));
  EXPECT_NE(run(11), run(12));
}

TEST_F(PeerAssociationTest, APassivePeerSilentForEightPollsExpiresAnActiveOneNever) {
  PeerAssociation active(core, line(), *IpAddress::parse("192.0.2.2"), true, synchronised_clock());
  PeerAssociation passive(core, line(), *IpAddress::parse("192.0.2.1"), false,
                          synchronised_clock());
  sent(active, active.start(t));
  sent(passive, passive.start(t));
  for (int k = 0; k < 8; ++k) {
    t += 64s;
    sent(active, active.on_timer(t));
    sent(passive, passive.on_timer(t));
  }
  EXPECT_TRUE(passive.expired());
  EXPECT_FALSE(active.expired());
}

TEST_F(PeerAssociationTest, WithAKeyOnlyPacketsSignedWithItCount) {
  PeerAssociation keyed(core, line(3), *IpAddress::parse("192.0.2.2"), true, synchronised_clock());
  PeerAssociation unkeyed(core, line(), *IpAddress::parse("192.0.2.1"), true, synchronised_clock());
  const std::vector<std::uint8_t> signed_packet = sent(keyed, keyed.start(t));
  EXPECT_EQ(signed_packet.size(), kNtpHeaderSize + 4 + 20);
  const std::vector<std::uint8_t> plain = sent(unkeyed, unkeyed.start(t));
  keyed.on_packet(plain, t + kPath);
  EXPECT_EQ(keyed.status().refused.bad_auth, 1u);
  EXPECT_NE(log.back().find("failed authentication"), std::string::npos);
  // Without a key of our own, a signed packet is still believed (the MAC checks out).
  unkeyed.on_packet(signed_packet, t + kPath);
  EXPECT_EQ(unkeyed.status().refused.bad_auth, 0u);
}

TEST_F(PeerAssociationTest, AnUnsynchronisedPeerIsReachableButNoSource) {
  PeerAssociation a(core, line(), *IpAddress::parse("192.0.2.2"), true, synchronised_clock());
  PeerAssociation starting(core, line(), *IpAddress::parse("192.0.2.1"), true,
                           [] { return ClockSnapshot{}; });
  starting.on_packet(sent(a, a.start(t)), t + kPath);
  const std::vector<std::uint8_t> packet = sent(starting, starting.start(t + 1s));
  const AssociationActions actions = a.on_packet(packet, t + 1s + kPath);
  EXPECT_FALSE(actions.updated);
  EXPECT_EQ(a.status().reach, 1);
  EXPECT_EQ(a.status().stratum, 16);
  EXPECT_FALSE(a.status().usable());
}

}  // namespace
}  // namespace stratumd
