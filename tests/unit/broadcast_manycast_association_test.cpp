// The broadcast server's and the manycast client's state machines with no socket: what they send
// and when, and which answers name a server.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "firmware/ntp/broadcast_association.hpp"
#include "firmware/ntp/manycast_association.hpp"
#include "tests/unit/association_test_support.hpp"

namespace stratumd {
namespace {

using namespace std::chrono_literals;

class AssociationMachines : public AssociationFixture {
 protected:
  AssociationMachines() { trust_key(5, 0x33); }
  AssociationLine line(AssociationLine::Kind kind, std::optional<std::uint32_t> key = {}) {
    AssociationLine l;
    l.kind = kind;
    l.minpoll = 6;
    l.key = key;
    return l;
  }
  std::vector<std::uint8_t> server_reply(NtpTimestamp origin, int stratum = 2,
                                         const SymmetricKey* key = nullptr) {
    NtpHeader h;
    h.leap = stratum < 16 ? LeapIndicator::none : LeapIndicator::unsynchronised;
    h.mode = NtpMode::server;
    h.stratum = static_cast<std::uint8_t>(stratum);
    h.origin_time = origin;
    h.receive_time = NtpTimestamp::from_utc(now);
    h.transmit_time = NtpTimestamp::from_utc(now);
    return bytes_of(h, key);
  }

  UtcTime now{std::chrono::seconds{1'790'000'000}};
  bool synchronised = false;
  SnapshotSource snapshot = [this] {
    ClockSnapshot s;
    if (synchronised) {
      s.stratum = 1;
      s.leap = LeapIndicator::none;
      s.reference_time = now;
    }
    return s;
  };
  std::size_t servers_in_use = 0;
};

TEST_F(AssociationMachines, ABroadcastServerIsSilentUntilSynchronisedThenSendsEveryMinpoll) {
  BroadcastAssociation b(core, line(AssociationLine::Kind::broadcast), "192.0.2.255", snapshot);
  AssociationActions actions = b.start(now);
  EXPECT_TRUE(actions.send.empty());
  EXPECT_EQ(actions.timer, std::chrono::nanoseconds{1s});  // looks again each second
  synchronised = true;
  now += 1s;
  actions = b.on_timer(now);
  ASSERT_FALSE(actions.send.empty());
  EXPECT_EQ(actions.timer, std::chrono::nanoseconds{64s});
  const ParseResult parsed = parse_ntp_packet(actions.send);
  ASSERT_EQ(parsed.status, ParseStatus::ok);
  EXPECT_EQ(parsed.packet.header.mode, NtpMode::broadcast);
  EXPECT_EQ(parsed.packet.header.stratum, 1);
  EXPECT_EQ(parsed.packet.header.transmit_time, NtpTimestamp::from_utc(now));
  b.transmitted();
  EXPECT_EQ(b.sent(), 1u);
}

TEST_F(AssociationMachines, ABroadcastWithAnUntrustedKeyIsNeverSentAndSaidOnce) {
  synchronised = true;
  BroadcastAssociation b(core, line(AssociationLine::Kind::broadcast, 6), "224.0.1.1", snapshot);
  EXPECT_TRUE(b.start(now).send.empty());
  EXPECT_TRUE(b.on_timer(now + 64s).send.empty());
  EXPECT_EQ(log.size(), 1u);
  EXPECT_NE(log.front().find("224.0.1.1: key 6 is not a trusted key"), std::string::npos);
  BroadcastAssociation signed_one(core, line(AssociationLine::Kind::broadcast, 5), "224.0.1.1",
                                  snapshot);
  EXPECT_EQ(signed_one.start(now).send.size(), kNtpHeaderSize + 4 + 20);
}

TEST_F(AssociationMachines, AManycastClientSolicitsWhileItWantsServersInABurstWithIburst) {
  AssociationLine l = line(AssociationLine::Kind::manycastclient);
  l.iburst = true;
  ManycastAssociation m(core, l, 2, [this](const AssociationLine&) { return servers_in_use; });
  AssociationActions actions = m.start(now);
  for (int k = 1; k <= 4; ++k) {
    EXPECT_FALSE(actions.send.empty());
    EXPECT_EQ(*actions.timer, k < 4 ? std::chrono::nanoseconds{2s} : std::chrono::nanoseconds{64s});
    actions = m.on_timer(now);
  }
  servers_in_use = 2;
  EXPECT_TRUE(m.on_timer(now).send.empty());
}

TEST_F(AssociationMachines, OnlyAnswersToOurLastRequestFromSynchronisedServersNameAServer) {
  ManycastAssociation m(core, line(AssociationLine::Kind::manycastclient), 2,
                        [this](const AssociationLine&) { return servers_in_use; });
  const AssociationActions actions = m.start(now);
  const NtpTimestamp origin = parse_ntp_packet(actions.send).packet.header.transmit_time;
  const IpAddress server = *IpAddress::parse("192.0.2.7");
  // Not sent yet (the send failed, or has not happened): nothing is ours.
  EXPECT_FALSE(m.on_packet(server_reply(origin), server).has_value());
  m.transmitted();
  EXPECT_EQ(m.on_packet(server_reply(origin), server), server);
  // Several servers answer one request; each is named.
  EXPECT_EQ(m.on_packet(server_reply(origin), *IpAddress::parse("192.0.2.8")),
            IpAddress::parse("192.0.2.8"));
  EXPECT_FALSE(m.on_packet(server_reply(NtpTimestamp{origin.raw() + 1}), server).has_value());
  EXPECT_FALSE(m.on_packet(server_reply(origin, 16), server).has_value());
  servers_in_use = 2;
  EXPECT_FALSE(m.on_packet(server_reply(origin), server).has_value());  // enough already
}

TEST_F(AssociationMachines, AManycastClientWithAKeyTakesOnlyAnswersSignedWithIt) {
  ManycastAssociation m(core, line(AssociationLine::Kind::manycastclient, 5), 2,
                        [this](const AssociationLine&) { return servers_in_use; });
  const AssociationActions actions = m.start(now);
  ASSERT_FALSE(actions.send.empty());
  const NtpTimestamp origin = parse_ntp_packet(actions.send).packet.header.transmit_time;
  m.transmitted();
  const IpAddress server = *IpAddress::parse("192.0.2.7");
  EXPECT_FALSE(m.on_packet(server_reply(origin), server).has_value());
  EXPECT_EQ(m.on_packet(server_reply(origin, 2, &keys.keys[5]), server), server);
}

}  // namespace
}  // namespace stratumd
