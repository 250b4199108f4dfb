// The upstream server association's state machine with no socket and no timer: bursts, reach,
// the poll's backoff, kisses and keys, driven by events and judged by the actions it returns.
#include "firmware/ntp/client_association.hpp"

#include <gtest/gtest.h>

#include "tests/unit/association_test_support.hpp"

#include <string>
#include <vector>

namespace stratumd {
namespace {

using namespace std::chrono_literals;

class ClientAssociationTest : public AssociationFixture {
 protected:
  ClientAssociationTest() { trust_key(7, 0x42); }

  AssociationLine line(bool iburst = false, std::optional<std::uint32_t> key = std::nullopt) {
    AssociationLine l;
    l.kind = AssociationLine::Kind::server;
    l.addresses = {"192.0.2.1"};
    l.iburst = iburst;
    l.minpoll = 6;
    l.maxpoll = 10;
    l.key = key;
    return l;
  }

  // Sends what the actions ask for, at `now`, as the runner would; the request sent.
  NtpHeader transmit(ClientAssociation& a, const AssociationActions& actions) {
    EXPECT_FALSE(actions.send.empty());
    a.transmitting(now);
    a.transmitted();
    const ParseResult parsed = parse_ntp_packet(actions.send);
    EXPECT_EQ(parsed.status, ParseStatus::ok);
    return parsed.packet.header;
  }

  // The server's reply to `request`: 2 ms ahead of us, 10 ms each way; optionally a kiss, and
  // signed with `key`.
  std::vector<std::uint8_t> reply(const NtpHeader& request, const char* kiss = nullptr,
                                  const SymmetricKey* key = nullptr) {
    NtpHeader h;
    h.leap = kiss ? LeapIndicator::unsynchronised : LeapIndicator::none;
    h.mode = NtpMode::server;
    h.stratum = kiss ? 0 : 1;
    h.precision = -20;
    h.reference_id = !kiss                         ? make_refid("GPS")
                     : std::string(kiss) == "RATE" ? make_refid("RATE")
                                                   : make_refid("DENY");
    h.origin_time = request.transmit_time;
    h.receive_time = NtpTimestamp::from_utc(now + 12ms);
    h.transmit_time = NtpTimestamp::from_utc(now + 12ms + 100us);
    h.reference_time = h.receive_time;
    return bytes_of(h, key);
  }

  UtcTime now{std::chrono::seconds{1'790'000'000}};
};

TEST_F(ClientAssociationTest, IburstSendsEightRequestsTwoSecondsApartThenPollsAtMinpoll) {
  ClientAssociation a(core, line(true), *IpAddress::parse("192.0.2.1"));
  AssociationActions actions = a.start(now);
  for (int k = 1; k <= 8; ++k) {
    transmit(a, actions);
    ASSERT_TRUE(actions.timer.has_value());
    EXPECT_EQ(*actions.timer, k < 8 ? std::chrono::nanoseconds{2s} : std::chrono::nanoseconds{64s})
        << k;
    now += *actions.timer;
    actions = a.on_timer(now);
  }
  EXPECT_EQ(a.status().sent, 8u);
}

// ntpd's iburst: a burst at every poll while the server is unreachable, as one still setting its
// own clock is (it answers unsynchronised); once it gave a sample, single polls.
TEST_F(ClientAssociationTest, IburstBurstsAgainWhileTheServerIsUnreachable) {
  ClientAssociation a(core, line(true), *IpAddress::parse("192.0.2.1"));
  AssociationActions actions = a.start(now);
  const auto burst = [&](bool answer_synchronised) {
    std::vector<std::chrono::nanoseconds> timers;
    for (int k = 1; k <= 8; ++k) {
      const NtpHeader request = transmit(a, actions);
      std::vector<std::uint8_t> answer = reply(request);
      if (!answer_synchronised) answer[0] = static_cast<std::uint8_t>(answer[0] | 0xC0);  // LI 3
      a.on_packet(answer, now + 20ms);
      timers.push_back(*actions.timer);
      now += *actions.timer;
      actions = a.on_timer(now);
    }
    return timers;
  };
  const std::vector<std::chrono::nanoseconds> first = burst(false);
  EXPECT_EQ(first.back(), std::chrono::nanoseconds{64s});
  EXPECT_EQ(a.status().reach, 0);  // unsynchronised answers are no samples
  // Still unreachable at the poll: another burst of eight, two seconds apart.
  // (The poll itself backs off while unanswered, as ntpd's does.)
  const std::vector<std::chrono::nanoseconds> second = burst(true);
  EXPECT_EQ(second.front(), std::chrono::nanoseconds{2s});
  EXPECT_GE(second.back(), std::chrono::nanoseconds{64s});
  EXPECT_EQ(a.status().sent, 16u);
  EXPECT_NE(a.status().reach, 0);
  // Reachable now: the next poll is one request, then the poll interval.
  transmit(a, actions);
  EXPECT_GE(*actions.timer, std::chrono::nanoseconds{64s});
}

TEST_F(ClientAssociationTest, AReplyIsASampleAndTheReachRegisterShiftsOncePerPoll) {
  ClientAssociation a(core, line(), *IpAddress::parse("192.0.2.1"));
  AssociationActions actions = a.start(now);
  const NtpHeader request = transmit(a, actions);
  const std::vector<std::uint8_t> answer = reply(request);
  now += 20100us;
  actions = a.on_packet(answer, now);
  EXPECT_TRUE(actions.updated);
  EXPECT_TRUE(actions.send.empty());
  EXPECT_EQ(a.status().reach, 1);
  ASSERT_TRUE(a.status().filtered.has_value());
  EXPECT_NEAR(a.status().filtered->chosen.offset, 0.002, 1e-4);
  EXPECT_NEAR(a.status().filtered->chosen.delay, 0.020, 1e-4);
  // The same reply again is a replay.
  actions = a.on_packet(answer, now);
  EXPECT_FALSE(actions.updated);
  EXPECT_EQ(a.status().refused.total(), 1u);
  EXPECT_EQ(a.status().received, 1u);

  // Eight polls without an answer and the server is unreachable: its sample is withdrawn.
  bool withdrawn = false;
  for (int k = 0; k < 8; ++k) {
    now += 64s;
    actions = a.on_timer(now);
    withdrawn = withdrawn || actions.updated;
  }
  EXPECT_EQ(a.status().reach, 0);
  EXPECT_TRUE(withdrawn);
  EXPECT_FALSE(a.status().filtered.has_value());
  EXPECT_EQ(a.unanswered(), 7);  // the first of the eight polls followed the reply
  EXPECT_EQ(log.back(), "server 192.0.2.1 unreachable");
}

TEST_F(ClientAssociationTest, ARateKissSlowsThePollAndADenyKissStopsForGood) {
  ClientAssociation a(core, line(), *IpAddress::parse("192.0.2.1"));
  AssociationActions actions = a.start(now);
  NtpHeader request = transmit(a, actions);
  const int before = a.status().poll_log2;
  a.on_packet(reply(request, "RATE"), now + 20ms);
  EXPECT_GT(a.status().poll_log2, before);
  EXPECT_NE(log.back().find("RATE kiss"), std::string::npos);

  now += 128s;
  actions = a.on_timer(now);
  request = transmit(a, actions);
  actions = a.on_packet(reply(request, "DENY"), now + 20ms);
  EXPECT_TRUE(a.status().stopped);
  EXPECT_TRUE(actions.updated);
  actions = a.on_timer(now + 1024s);
  EXPECT_TRUE(actions.send.empty());
  EXPECT_FALSE(actions.timer.has_value());
}

TEST_F(ClientAssociationTest, AKissThatDoesNotEchoOurRequestIsNotBelieved) {
  ClientAssociation a(core, line(), *IpAddress::parse("192.0.2.1"));
  AssociationActions actions = a.start(now);
  NtpHeader request = transmit(a, actions);
  NtpHeader forged = request;
  forged.transmit_time = NtpTimestamp{request.transmit_time.raw() ^ 1};
  a.on_packet(reply(forged, "DENY"), now + 20ms);
  EXPECT_FALSE(a.status().stopped);
  EXPECT_EQ(a.status().refused.bogus_origin, 1u);
}

TEST_F(ClientAssociationTest, WithAKeyRequestsAreSignedAndOnlyRepliesSignedWithItCount) {
  ClientAssociation a(core, line(false, 7), *IpAddress::parse("192.0.2.1"));
  AssociationActions actions = a.start(now);
  EXPECT_EQ(actions.send.size(), kNtpHeaderSize + 4 + 20);  // key ID and SHA-1 digest
  const NtpHeader request = transmit(a, actions);
  actions = a.on_packet(reply(request), now + 20ms);  // unsigned
  EXPECT_FALSE(actions.updated);
  EXPECT_EQ(a.status().refused.bad_auth, 1u);
  EXPECT_NE(log.back().find("is not authenticated"), std::string::npos);
  SymmetricKey other = keys.keys[7];
  other.secret[0] ^= 1;
  actions = a.on_packet(reply(request, nullptr, &other), now + 20ms);
  EXPECT_EQ(a.status().refused.bad_auth, 2u);
  actions = a.on_packet(reply(request, nullptr, &keys.keys[7]), now + 20ms);
  EXPECT_TRUE(actions.updated);
  EXPECT_EQ(a.status().received, 1u);
}

TEST_F(ClientAssociationTest, AKeyThatIsNotTrustedSendsNothingAndSaysSoOnce) {
  ClientAssociation a(core, line(false, 9), *IpAddress::parse("192.0.2.1"));
  AssociationActions actions = a.start(now);
  EXPECT_TRUE(actions.send.empty());
  EXPECT_TRUE(actions.timer.has_value());  // it keeps polling, in case the keys are reloaded
  actions = a.on_timer(now + 64s);
  EXPECT_TRUE(actions.send.empty());
  EXPECT_EQ(std::count_if(log.begin(), log.end(),
                          [](const std::string& l) {
                            return l.find("not a trusted key") != std::string::npos;
                          }),
            1);
}

TEST(ClockFilterTrend, SamplesOfAClockRunningFreeLieOnALineWhateverTheirScatterAroundIt) {
  ClockFilter filter;
  const UtcTime t0{std::chrono::seconds{1'790'000'000}};
  FilterOutput out;
  // 50 ppm fast, 2 s apart, +-10 us alternating scatter.
  for (int i = 0; i < 8; ++i) {
    const double scatter = i % 2 ? 10e-6 : -10e-6;
    out = filter.add(
        {1e-3 - 50e-6 * 2.0 * i + scatter, 200e-6, 0.0, t0 + std::chrono::seconds{2 * i}}, 1e-7);
  }
  EXPECT_NEAR(out.trend_slope, -50e-6, 2e-6);
  EXPECT_NEAR(out.trend_offset, 1e-3 - 50e-6 * 14.0, 10e-6);
  EXPECT_EQ(out.trend_at, t0 + std::chrono::seconds{14});
  EXPECT_NEAR(out.trend_residual, 10e-6, 2e-6);
  // The RFC jitter sees the drift: 700 us across the stages.
  EXPECT_GT(out.jitter, 100e-6);
}

TEST_F(ClientAssociationTest, AStepMovesTheSamplesWithTheClock) {
  ClientAssociation a(core, line(), *IpAddress::parse("192.0.2.1"));
  const NtpHeader request = transmit(a, a.start(now));
  a.on_packet(reply(request), now + 20ms);
  ASSERT_TRUE(a.status().filtered.has_value() && a.status().latest.has_value());
  const FilterSample before = *a.status().latest;
  a.clock_stepped(-250ms);
  // Measured against the old clock, the sample says 250 ms more now, at a time 250 ms earlier:
  // still selectable, not forgotten until the filter fills again.
  ASSERT_TRUE(a.status().filtered.has_value() && a.status().latest.has_value());
  EXPECT_DOUBLE_EQ(a.status().latest->offset, before.offset + 0.25);
  EXPECT_EQ(a.status().latest->when, before.when - 250ms);
  EXPECT_DOUBLE_EQ(a.status().filtered->chosen.offset, before.offset + 0.25);
  EXPECT_EQ(a.status().reach, 1);
}

}  // namespace
}  // namespace stratumd

namespace stratumd {
namespace {

using namespace std::chrono_literals;

// A reload changes a kept server's key and poll bounds: its samples and reach stay, the next
// request is signed with the new key, and the poll interval restarts within the new bounds.
TEST_F(ClientAssociationTest, AReloadChangesKeyAndPollKeepingSamplesAndReach) {
  trust_key(8, 0x43);
  ClientAssociation a(core, line(false, 7), *IpAddress::parse("192.0.2.1"));
  AssociationActions actions = a.start(now);
  const NtpHeader request = transmit(a, actions);
  ASSERT_TRUE(a.on_packet(reply(request, nullptr, &keys.keys[7]), now + 20ms).updated);
  ASSERT_EQ(a.status().reach, 1);

  AssociationLine changed = line(false, 8);
  changed.minpoll = 3;
  changed.maxpoll = 4;
  actions = a.reconfigure(changed);
  ASSERT_TRUE(actions.timer.has_value());
  EXPECT_EQ(*actions.timer, std::chrono::nanoseconds{16s});  // poll 6 clamped to maxpoll 4
  EXPECT_EQ(a.status().poll_log2, 4);
  EXPECT_EQ(a.status().key_id, 8u);
  EXPECT_EQ(a.status().reach, 1);
  EXPECT_TRUE(a.status().filtered.has_value());

  now += 16s;
  actions = a.on_timer(now);
  const NtpHeader signed_request = transmit(a, actions);
  // Signed with key 8 now: a reply signed with key 7 no longer counts, one with key 8 does.
  EXPECT_FALSE(a.on_packet(reply(signed_request, nullptr, &keys.keys[7]), now + 20ms).updated);
  EXPECT_TRUE(a.on_packet(reply(signed_request, nullptr, &keys.keys[8]), now + 20ms).updated);
  EXPECT_EQ(a.status().reach, 3);
  EXPECT_EQ(a.status().received, 2u);

  // Options that leave the poll where it was set no new timer.
  changed.prefer = true;
  EXPECT_FALSE(a.reconfigure(changed).timer.has_value());
  EXPECT_TRUE(a.config().prefer);
}

}  // namespace
}  // namespace stratumd
