// Poll adaptation: a steady source climbs from minpoll to maxpoll, a jumping one comes back down,
// an unreachable one is polled less and less, a RATE kiss slows us beyond maxpoll.
#include "firmware/ntp/poll_adapter.hpp"

#include <gtest/gtest.h>

#include <random>

namespace stratumd {
namespace {

TEST(PollAdapter, ASteadySourceClimbsToMaxpollAndStopsThere) {
  PollAdapter poll(6, 10);
  std::mt19937 rng(1);
  std::normal_distribution<double> noise(0.0, 50e-6);
  int samples = 0;
  while (poll.poll() < 10 && samples < 1000) {
    poll.on_sample(0.002 + noise(rng), 50e-6);
    ++samples;
  }
  EXPECT_EQ(poll.poll(), 10);
  // 30/6 + 30/7 + ... : about 25 samples, not one per step.
  EXPECT_GT(samples, 15);
  EXPECT_LT(samples, 60);
  for (int i = 0; i < 100; ++i) poll.on_sample(0.002 + noise(rng), 50e-6);
  EXPECT_EQ(poll.poll(), 10);
}

TEST(PollAdapter, OffsetsJumpingBeyondTheJitterBringThePollDownToMinpoll) {
  PollAdapter poll(4, 8);
  for (int i = 0; i < 200; ++i) poll.on_sample(0.0, 10e-6);
  ASSERT_EQ(poll.poll(), 8);
  for (int i = 0; i < 200; ++i) poll.on_sample(i % 2 ? 0.010 : -0.010, 10e-6);
  EXPECT_EQ(poll.poll(), 4);
}

TEST(PollAdapter, UnansweredPollsBackOffAndTheFirstAnswerStartsAgain) {
  PollAdapter poll(6, 10);
  for (int i = 0; i < 7; ++i) poll.on_poll(false);
  EXPECT_EQ(poll.poll(), 6) << "fewer than eight unanswered polls: still reachable";
  poll.on_poll(false);
  EXPECT_EQ(poll.poll(), 7);
  for (int i = 0; i < 10; ++i) poll.on_poll(false);
  EXPECT_EQ(poll.poll(), 10);
  poll.on_sample(0.001, 1e-4);
  EXPECT_EQ(poll.poll(), 6);
}

TEST(PollAdapter, RateKissSlowsDownPastMaxpoll) {
  PollAdapter poll(6, 6);
  poll.slow_down();
  poll.slow_down();
  EXPECT_EQ(poll.poll(), 8);
  for (int i = 0; i < 20; ++i) poll.slow_down();
  EXPECT_EQ(poll.poll(), 17);
}

}  // namespace
}  // namespace stratumd
