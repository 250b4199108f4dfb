#include "firmware/ntp/rate_limiter.hpp"

#include <gtest/gtest.h>

namespace stratumd {
namespace {

using namespace std::chrono_literals;

const IpAddress kClient = *IpAddress::parse("192.0.2.1");

TEST(RateLimiter, AClientPollingAtTheAverageIsNeverLimited) {
  RateLimiter limiter(DiscardParams{3, 2, 0});
  Nanoseconds t = 1000s;
  for (int i = 0; i < 1000; ++i, t += 8s)
    ASSERT_EQ(limiter.check(kClient, t, false), RateVerdict::pass) << i;
}

TEST(RateLimiter, PacketsCloserThanTheMinimumAreLimited) {
  RateLimiter limiter(DiscardParams{3, 2, 0});
  EXPECT_EQ(limiter.check(kClient, 1000s, false), RateVerdict::pass);
  EXPECT_EQ(limiter.check(kClient, 1000s + 500ms, false), RateVerdict::limited);
  // ntpd counts whole seconds and allows one of slack: a second later is within the minimum of 2.
  EXPECT_EQ(limiter.check(kClient, 1000s + 1500ms, false), RateVerdict::pass);
}

TEST(RateLimiter, ABurstAtTheMinimumExhaustsTheAverage) {
  RateLimiter limiter(DiscardParams{3, 2, 0});
  Nanoseconds t = 1000s;
  int passed = 0;
  for (int i = 0; i < 40; ++i, t += 2s)
    passed += limiter.check(kClient, t, false) == RateVerdict::pass;
  // Each packet adds 8 - 2 s of debt and 2 s drain between them: the 64 s budget lasts ~16
  // packets, then roughly every other packet is refused while the average stays over 8 s... at
  // least the sustained rate is held well below one per 2 s.
  EXPECT_GT(passed, 10);
  EXPECT_LT(passed, 30);
}

TEST(RateLimiter, KissOncePerAverageInterval) {
  RateLimiter limiter(DiscardParams{3, 2, 0});
  Nanoseconds t = 1000s;
  limiter.check(kClient, t, true);
  int kisses = 0;
  for (int i = 0; i < 100; ++i) {
    t += 100ms;  // 10 s of flooding
    kisses += limiter.check(kClient, t, true) == RateVerdict::limited_send_kod;
  }
  EXPECT_EQ(kisses, 2);  // at 0.1 s and once more after 8 s
  EXPECT_EQ(limiter.counters().kod_sent, 2u);
}

TEST(RateLimiter, ClientsAreTrackedApart) {
  RateLimiter limiter(DiscardParams{3, 2, 0});
  const IpAddress other = *IpAddress::parse("192.0.2.2");
  EXPECT_EQ(limiter.check(kClient, 1000s, false), RateVerdict::pass);
  EXPECT_EQ(limiter.check(other, 1000s, false), RateVerdict::pass);
  EXPECT_EQ(limiter.check(kClient, 1000s, false), RateVerdict::limited);
}

TEST(RateLimiter, AMillionSourcesKeepTheTableAtItsSizeAndEvictTheOldest) {
  RateLimiter limiter(DiscardParams{3, 2, 0}, 4096);
  const std::size_t bytes = limiter.memory_bytes();
  Nanoseconds t = 1000s;
  for (std::uint32_t i = 0; i < 1'000'000; ++i) {
    limiter.check(IpAddress::v4(0x7F000000u | i), t, false);
    t += 1us;
  }
  EXPECT_EQ(limiter.memory_bytes(), bytes);
  EXPECT_EQ(limiter.capacity(), 4096u);
  EXPECT_GE(limiter.counters().evictions, 1'000'000u - 4096u);
  // A client still flooding keeps its own entry fresh in its set, so a flood from many other
  // sources does not reset its record: it stays limited.
  RateLimiter small(DiscardParams{3, 2, 0}, 1024);
  Nanoseconds u = 1000s;
  small.check(kClient, u, false);
  int limited = 0;
  for (std::uint32_t i = 0; i < 10000; ++i) {
    u += 1ms;
    small.check(IpAddress::v4(0x0A000000u | i), u, false);
    if (i % 100 == 0) limited += small.check(kClient, u, false) == RateVerdict::limited;
  }
  EXPECT_GT(limited, 50);
}

TEST(RateLimiterBurst, ABurstPassesThenTheAverageRate) {
  RateLimiter limiter(DiscardParams{}, 64);
  const IpAddress client = *IpAddress::parse("192.0.2.9");
  const Nanoseconds t0 = std::chrono::seconds{100};
  int passed = 0;
  for (int i = 0; i < 50; ++i) {
    passed +=
        limiter.check_burst(client, t0 + std::chrono::microseconds{i}, 24, 4) == RateVerdict::pass;
  }
  EXPECT_EQ(passed, 24);
  // A flood that keeps on at 1 kHz for 10 s gets the average rate (4/s), no more, no less.
  passed = 0;
  for (int ms = 1; ms <= 10'000; ++ms) {
    passed +=
        limiter.check_burst(client, t0 + std::chrono::milliseconds{ms}, 24, 4) == RateVerdict::pass;
  }
  EXPECT_GE(passed, 39);
  EXPECT_LE(passed, 41);
  // Quiet for the burst's worth of time: the whole burst again.
  passed = 0;
  const Nanoseconds later = t0 + std::chrono::seconds{20};
  for (int i = 0; i < 50; ++i) {
    passed += limiter.check_burst(client, later + std::chrono::microseconds{i}, 24, 4) ==
              RateVerdict::pass;
  }
  EXPECT_EQ(passed, 24);
  // Another client is not held by the first one's debt.
  EXPECT_EQ(limiter.check_burst(*IpAddress::parse("192.0.2.10"), later, 24, 4), RateVerdict::pass);
}

}  // namespace
}  // namespace stratumd
