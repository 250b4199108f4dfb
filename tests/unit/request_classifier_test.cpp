// Which datagrams on the server port go where, with the restrict flags looked up once: mode 6
// access checks and rate, the manycast server's silence, everything else to the responder.
#include "firmware/ntp/request_classifier.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace stratumd {
namespace {

using namespace std::chrono_literals;

std::vector<std::uint8_t> datagram(std::uint8_t mode, std::size_t length = 48) {
  std::vector<std::uint8_t> bytes(length);
  bytes[0] = static_cast<std::uint8_t>((4u << 3) | mode);
  return bytes;
}

class RequestClassifierTest : public ::testing::Test {
 protected:
  RequestClassifierTest() {
    table.add(*IpPrefix::parse("192.0.2.0/24"), restrict_flag::noquery);
    table.add(*IpPrefix::parse("192.0.2.66"), restrict_flag::ignore);
    table.add(*IpPrefix::parse("198.51.100.0/24"), restrict_flag::limited);
  }
  ClassifiedRequest classify(const std::vector<std::uint8_t>& bytes, const char* from,
                             bool to_group = false) {
    const RequestContext context{{*IpAddress::parse(from), 40000}, UtcTime{}, now};
    return classify_request(bytes, context, to_group, state);
  }

  RestrictTable table;
  RateLimiter limiter{DiscardParams{}};
  RateLimiter control_limiter{DiscardParams{}, 64};
  ClassifierState state{table, limiter, control_limiter};
  Nanoseconds now{std::chrono::seconds{1000}};
};

TEST_F(RequestClassifierTest, TimeRequestsAndAssociationPacketsGoToTheResponderWithTheirFlags) {
  ClassifiedRequest c = classify(datagram(3), "203.0.113.1");
  EXPECT_EQ(c.kind, RequestClass::for_responder);
  EXPECT_EQ(c.restrict_flags, 0u);
  c = classify(datagram(1), "192.0.2.5");  // a peer: the responder hands it on
  EXPECT_EQ(c.kind, RequestClass::for_responder);
  EXPECT_EQ(c.restrict_flags, restrict_flag::noquery);
}

TEST_F(RequestClassifierTest, IgnoreDropsEverythingUnreadAndAnEmptyDatagramIsMalformed) {
  for (const std::uint8_t mode : {std::uint8_t{1}, std::uint8_t{3}, std::uint8_t{6}}) {
    const ClassifiedRequest c = classify(datagram(mode), "192.0.2.66");
    EXPECT_EQ(c.kind, RequestClass::dropped);
    EXPECT_EQ(c.outcome, RequestOutcome::dropped_restricted);
  }
  EXPECT_EQ(classify({}, "203.0.113.1").outcome, RequestOutcome::dropped_malformed);
}

TEST_F(RequestClassifierTest, ModeSixIsControlUnlessNoqueryOrNotServedOrTooShort) {
  EXPECT_EQ(classify(datagram(6, 12), "127.0.0.1").kind, RequestClass::control);
  const ClassifiedRequest refused = classify(datagram(6, 12), "192.0.2.5");
  EXPECT_EQ(refused.kind, RequestClass::dropped);
  EXPECT_EQ(refused.outcome, RequestOutcome::dropped_restricted);
  // Shorter than a mode 6 header, or with no control answers at all: the responder refuses it.
  EXPECT_EQ(classify(datagram(6, 8), "127.0.0.1").kind, RequestClass::for_responder);
  state.control_served = false;
  EXPECT_EQ(classify(datagram(6, 12), "127.0.0.1").kind, RequestClass::for_responder);
}

TEST_F(RequestClassifierTest, ModeSixFromAnotherHostIsHeldToItsBurstTheLoopbackIsNot) {
  int answered = 0;
  for (int k = 0; k < 100; ++k) {
    answered += classify(datagram(6, 12), "203.0.113.9").kind == RequestClass::control;
  }
  EXPECT_EQ(answered, kControlBurst);
  EXPECT_EQ(classify(datagram(6, 12), "203.0.113.9").outcome, RequestOutcome::dropped_rate_limited);
  // A second later, kControlPerSecond more.
  now += 1s;
  answered = 0;
  for (int k = 0; k < 100; ++k) {
    answered += classify(datagram(6, 12), "203.0.113.9").kind == RequestClass::control;
  }
  EXPECT_EQ(answered, kControlPerSecond);
  for (int k = 0; k < 100; ++k) {
    ASSERT_EQ(classify(datagram(6, 12), "127.0.0.1").kind, RequestClass::control) << k;
  }
}

TEST_F(RequestClassifierTest, ModeSixUnderRestrictLimitedCountsAgainstTheClientsRate) {
  EXPECT_EQ(classify(datagram(6, 12), "198.51.100.7").kind, RequestClass::control);
  // ntpd's default discard minimum is 2 s between packets from one client.
  const ClassifiedRequest second = classify(datagram(6, 12), "198.51.100.7");
  EXPECT_EQ(second.kind, RequestClass::dropped);
  EXPECT_EQ(second.outcome, RequestOutcome::dropped_rate_limited);
}

TEST_F(RequestClassifierTest, AManycastServerIsSilentToTheGroupWhileUnsynchronised) {
  state.synchronised = false;
  const ClassifiedRequest c = classify(datagram(3), "203.0.113.1", true);
  EXPECT_EQ(c.kind, RequestClass::dropped);
  EXPECT_EQ(c.outcome, RequestOutcome::dropped_mode);
  // Unicast requests still get the responder's unsynchronised answer.
  EXPECT_EQ(classify(datagram(3), "203.0.113.1", false).kind, RequestClass::for_responder);
  state.synchronised = true;
  EXPECT_EQ(classify(datagram(3), "203.0.113.1", true).kind, RequestClass::for_responder);
}

}  // namespace
}  // namespace stratumd
