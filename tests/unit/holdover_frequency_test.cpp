// The frequency held when the samples stop: the corrections the clock needed over the last half
// hour, not the servo's last, noisy estimate.
#include "firmware/discipline/holdover_frequency.hpp"

#include <gtest/gtest.h>

#include <random>

#include "firmware/clock/sim_clock.hpp"
#include "firmware/discipline/clock_discipline.hpp"

namespace stratumd {
namespace {

using namespace std::chrono_literals;

const UtcTime kStart{std::chrono::seconds{1'790'000'000}};

TEST(HoldoverFrequency, CorrectionsPlusTheOffsetsDriftOverTheSpan) {
  HoldoverFrequency h;
  EXPECT_FALSE(h.frequency_ppm());
  // The clock was given 10 ppm and the offset still grew by 1 us in 1000 s: 10.001 ppm needed.
  for (int i = 0; i <= 1000; ++i) {
    h.add(kStart + std::chrono::seconds{i}, 1e-9 * i, 10e-6 / (1 + 10e-6) * i);
  }
  ASSERT_TRUE(h.frequency_ppm());
  EXPECT_NEAR(*h.frequency_ppm(), 10.001, 1e-6);
}

TEST(HoldoverFrequency, NeedsAFewMinutesOfHistoryAndForgetsOnClear) {
  HoldoverFrequency h;
  for (int i = 0; i <= 200; ++i) h.add(kStart + std::chrono::seconds{i}, 0.0, 0.0);
  EXPECT_FALSE(h.frequency_ppm());  // 200 s: too short to trust
  for (int i = 201; i <= 400; ++i) h.add(kStart + std::chrono::seconds{i}, 0.0, 0.0);
  EXPECT_TRUE(h.frequency_ppm());
  h.clear();
  EXPECT_FALSE(h.frequency_ppm());
}

// The discipline enters holdover on the averaged frequency. A crystal that wanders (1e-11/s^0.5)
// steered from 1 us PPS noise: the tracking servo's own estimate carries the last minutes' noise,
// the average over half an hour much less.
TEST(HoldoverFrequency, HoldoverHoldsTheFrequencyTheOscillatorNeeds) {
  SimClock clock(kStart, 0ns,
                 OscillatorParams{.frequency_error_ppm = 50.0, .random_walk_fm = 1e-5});
  DisciplineConfig config;
  config.holdover_limit = 2h;
  ClockDiscipline loop(clock, config, false);
  std::mt19937_64 rng(5);
  std::normal_distribution<double> noise(0.0, 1e-6);
  for (int i = 0; i < 4 * 3600; ++i) {
    clock.advance(1s);
    loop.on_sample({clock.now() + from_seconds(noise(rng)), clock.true_time(), LeapIndicator::none},
                   SampleClass::pps);
    loop.on_tick(clock.now());
  }
  ASSERT_EQ(loop.status().state, SyncState::locked);
  // What holds the oscillator's time: (1 + oscillator) (1 + correction) = 1.
  const auto needed_ppm = [&] { return (1.0 / (1.0 + clock.oscillator_ppm() * 1e-6) - 1.0) * 1e6; };
  const double servo_error_ppb = (loop.servo_estimate().frequency_ppm - needed_ppm()) * 1e3;
  for (int i = 0; i < 10; ++i) {
    clock.advance(1s);
    loop.on_tick(clock.now());
  }
  ASSERT_EQ(loop.status().state, SyncState::holdover);
  const double held_error_ppb = (clock.frequency_ppm() - needed_ppm()) * 1e3;
  std::printf("frequency error: servo %.3f ppb, held %.3f ppb\n", servo_error_ppb, held_error_ppb);
  EXPECT_LT(std::abs(held_error_ppb), 0.3);
}

}  // namespace
}  // namespace stratumd
