// The broadcast client's state machine with no socket: the volley that measures the delay, the
// broadcasts that become samples once it is known, authentication, and the reach register.
#include "firmware/ntp/broadcast_client_association.hpp"

#include <gtest/gtest.h>

#include "tests/unit/association_test_support.hpp"

#include <string>
#include <vector>

namespace stratumd {
namespace {

using namespace std::chrono_literals;

class BroadcastClientAssociationTest : public AssociationFixture {
 protected:
  BroadcastClientAssociationTest() { trust_key(4, 0x21); }

  // A broadcast sent at `sent` (true time; the broadcaster's clock is right, ours 1 ms behind),
  // signed with `key` when given.
  std::vector<std::uint8_t> broadcast(UtcTime sent, const SymmetricKey* key) {
    NtpHeader h;
    h.leap = LeapIndicator::none;
    h.mode = NtpMode::broadcast;
    h.stratum = 1;
    h.precision = -20;
    h.poll = 6;
    h.reference_id = make_refid("GPS");
    h.reference_time = NtpTimestamp::from_utc(sent - 1s);
    h.transmit_time = NtpTimestamp::from_utc(sent);
    return bytes_of(h, key);
  }
  // The broadcaster's answer to a volley request: 4 ms each way.
  std::vector<std::uint8_t> volley_reply(std::span<const std::uint8_t> request, UtcTime sent) {
    NtpHeader h;
    h.leap = LeapIndicator::none;
    h.mode = NtpMode::server;
    h.stratum = 1;
    h.precision = -20;
    h.reference_id = make_refid("GPS");
    h.origin_time = parse_ntp_packet(request).packet.header.transmit_time;
    h.reference_time = NtpTimestamp::from_utc(sent - 1s);
    h.receive_time = NtpTimestamp::from_utc(sent + 4ms);
    h.transmit_time = NtpTimestamp::from_utc(sent + 4ms);
    return bytes_of(h);
  }
  AssociationLine line() {
    AssociationLine l;
    l.kind = AssociationLine::Kind::broadcastclient;
    return l;
  }

  UtcTime t{std::chrono::seconds{1'790'000'000}};  // true time
  const IpAddress broadcaster = *IpAddress::parse("192.0.2.9");
};

TEST_F(BroadcastClientAssociationTest, TheVolleyMeasuresTheDelayBeforeAnyBroadcastIsASample) {
  BroadcastClientAssociation b(core, line(), broadcaster, 0.004 * 10, true);
  AssociationActions actions = b.start(t - 1ms);
  for (int k = 0; k < 4; ++k) {
    ASSERT_FALSE(actions.send.empty()) << k;
    EXPECT_EQ(actions.timer, std::chrono::nanoseconds{2s});
    b.transmitting(t - 1ms);  // our clock is 1 ms behind
    b.on_calibration_reply(volley_reply(actions.send, t), t + 8ms - 1ms);
    // A broadcast during the volley counts as heard, not as a sample yet.
    EXPECT_FALSE(b.on_packet(broadcast(t, &keys.keys[4]), t + 4ms - 1ms).updated);
    t += 2s;
    actions = b.on_timer(t - 1ms);
  }
  EXPECT_TRUE(actions.send.empty());
  EXPECT_FALSE(actions.timer.has_value());
  EXPECT_NEAR(b.one_way_delay(), 0.004, 1e-6);
  EXPECT_NE(log.back().find("calibrated at 4.000000 ms"), std::string::npos) << log.back();
  actions = b.on_packet(broadcast(t, &keys.keys[4]), t + 4ms - 1ms);
  EXPECT_TRUE(actions.updated);
  ASSERT_TRUE(b.status().filtered.has_value());
  EXPECT_NEAR(b.status().filtered->chosen.offset, 0.001, 1e-6);
}

TEST_F(BroadcastClientAssociationTest, WithNovolleyTheBroadcastDelayStandsIn) {
  BroadcastClientAssociation b(core, line(), broadcaster, 0.004, false);
  EXPECT_TRUE(b.start(t).send.empty());
  const AssociationActions actions = b.on_packet(broadcast(t, &keys.keys[4]), t + 3ms);
  EXPECT_TRUE(actions.updated);
  EXPECT_NEAR(b.status().filtered->chosen.offset, 0.001, 1e-6);
  // The first broadcast starts the reach register at the broadcaster's interval.
  EXPECT_EQ(actions.interval, std::chrono::nanoseconds{64s});
}

TEST_F(BroadcastClientAssociationTest, UnsignedBroadcastsAreRefusedUnlessAuthIsDisabledAndNoKeys) {
  BroadcastClientAssociation b(core, line(), broadcaster, 0.004, false);
  EXPECT_FALSE(b.on_packet(broadcast(t, nullptr), t + 3ms).updated);
  EXPECT_EQ(b.status().refused.bad_auth, 1u);
  EXPECT_NE(log.back().find("is not authenticated"), std::string::npos);

  keys.trusted.clear();
  core.auth_required = false;
  BroadcastClientAssociation open(core, line(), broadcaster, 0.004, false);
  EXPECT_TRUE(open.on_packet(broadcast(t, nullptr), t + 3ms).updated);
}

TEST_F(BroadcastClientAssociationTest, EightSilentIntervalsEndIt) {
  BroadcastClientAssociation b(core, line(), broadcaster, 0.004, false);
  b.on_packet(broadcast(t, &keys.keys[4]), t + 3ms);
  EXPECT_FALSE(b.on_interval().updated);  // the interval it was heard in
  bool withdrawn = false;
  for (int k = 0; k < 8; ++k) {
    EXPECT_FALSE(b.expired());
    const bool updated = b.on_interval().updated;
    withdrawn = withdrawn || updated;
  }
  EXPECT_TRUE(withdrawn);
  EXPECT_TRUE(b.expired());
  EXPECT_NE(log.back().find("went quiet"), std::string::npos);
}

TEST_F(BroadcastClientAssociationTest, AReplayedBroadcastIsRefused) {
  BroadcastClientAssociation b(core, line(), broadcaster, 0.004, false);
  const std::vector<std::uint8_t> packet = broadcast(t, &keys.keys[4]);
  EXPECT_TRUE(b.on_packet(packet, t + 3ms).updated);
  EXPECT_FALSE(b.on_packet(packet, t + 5ms).updated);
  EXPECT_EQ(b.status().refused.total(), 1u);
}

}  // namespace
}  // namespace stratumd
