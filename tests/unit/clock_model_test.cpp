#include "firmware/clock/clock_model.hpp"

#include <gtest/gtest.h>

#include "firmware/clock/sim_clock.hpp"

namespace stratumd {
namespace {

using namespace std::chrono_literals;

RawTime raw(Nanoseconds t) {
  return RawTime{t};
}
const UtcTime kStart{std::chrono::seconds{1'790'000'000}};

TEST(ClockModel, StartsAsAnIdentityFromTheReference) {
  const ClockModel m(raw(100s), kStart);
  EXPECT_EQ(m.utc_at(raw(100s)), kStart);
  EXPECT_EQ(m.utc_at(raw(101s)), kStart + 1s);
}

TEST(ClockModel, FrequencyCorrectionScalesElapsedTime) {
  ClockModel m(raw(0s), kStart);
  m.set_frequency(raw(0s), 10.0);
  EXPECT_EQ(m.utc_at(raw(1000s)), kStart + 1000s + 10ms);
  // Changing frequency keeps what was accumulated so far.
  m.set_frequency(raw(1000s), -5.0);
  EXPECT_EQ(m.utc_at(raw(2000s)), kStart + 2000s + 10ms - 5ms);
}

TEST(ClockModel, StepIsImmediate) {
  ClockModel m(raw(0s), kStart);
  m.step(raw(5s), -300ms);
  EXPECT_EQ(m.utc_at(raw(5s)), kStart + 5s - 300ms);
  EXPECT_EQ(m.utc_at(raw(6s)), kStart + 6s - 300ms);
}

TEST(ClockModel, SlewIsGradualAtMostFiveHundredPpmAndExact) {
  ClockModel m(raw(0s), kStart);
  m.slew(raw(0s), 1ms, 1s);  // asked for 1 s; takes 2 s at 500 ppm
  EXPECT_EQ(m.utc_at(raw(1s)), kStart + 1s + 500us);
  EXPECT_EQ(m.utc_at(raw(2s)), kStart + 2s + 1ms);
  EXPECT_EQ(m.utc_at(raw(10s)), kStart + 10s + 1ms);
  EXPECT_EQ(m.remaining_slew(raw(1s)), 500us);
  EXPECT_EQ(m.remaining_slew(raw(3s)), 0ns);
}

TEST(ClockModel, ANewSlewReplacesTheOneInProgress) {
  ClockModel m(raw(0s), kStart);
  m.slew(raw(0s), 1ms, 0s);
  m.slew(raw(1s), -200us, 0s);  // 500 us already done
  EXPECT_EQ(m.utc_at(raw(5s)), kStart + 5s + 500us - 200us);
}

TEST(ClockModel, SlewTakesTheDurationAskedForWithinTheRateLimit) {
  ClockModel m(raw(0s), kStart);
  m.slew(raw(0s), 4us, 4s);  // 1 ppm for four seconds
  EXPECT_EQ(m.utc_at(raw(1s)), kStart + 1s + 1us);
  EXPECT_EQ(m.remaining_slew(raw(3s)), 1us);
  EXPECT_EQ(m.utc_at(raw(9s)), kStart + 9s + 4us);
}

TEST(ClockModel, ServedTimeNeverRunsBackwardsWhileSlewingNegative) {
  ClockModel m(raw(0s), kStart);
  m.slew(raw(0s), -50ms, 0s);
  UtcTime previous = m.utc_at(raw(0s));
  for (int i = 1; i <= 2000; ++i) {
    const UtcTime t = m.utc_at(raw(Nanoseconds{i * 100'000'000LL}));
    ASSERT_GT(t, previous);
    previous = t;
  }
}

TEST(SimClock, FreeRunningOscillatorAccumulatesItsFrequencyError) {
  SimClock clock(kStart, 0ns, OscillatorParams{.frequency_error_ppm = 20.0});
  clock.advance(100s);
  EXPECT_EQ(clock.true_time(), kStart + 100s);
  EXPECT_NEAR(to_seconds(clock.time_error()), 2e-3, 1e-9);
  // Compensating the frequency stops the drift.
  clock.set_frequency(-20.0 / (1 + 20e-6));
  const Nanoseconds before = clock.time_error();
  clock.advance(1000s);
  EXPECT_NEAR(to_seconds(clock.time_error() - before), 0.0, 1e-8);
}

TEST(SimClock, NoiseIsReproducibleFromTheSeed) {
  const OscillatorParams noisy{
      .frequency_error_ppm = 5.0, .white_fm = 1e-9, .random_walk_fm = 0.01};
  SimClock a(kStart, 1ms, noisy, 42), b(kStart, 1ms, noisy, 42), c(kStart, 1ms, noisy, 43);
  a.advance(600s);
  b.advance(600s);
  c.advance(600s);
  EXPECT_EQ(a.time_error(), b.time_error());
  EXPECT_NE(a.time_error(), c.time_error());
}

}  // namespace
}  // namespace stratumd
