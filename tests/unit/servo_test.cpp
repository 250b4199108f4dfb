// The servos on their own, steering a SimClock: no discipline state machine around them.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <random>
#include <vector>

#include "firmware/clock/sim_clock.hpp"
#include "firmware/discipline/kalman_servo.hpp"
#include "firmware/ntp/delay_floor.hpp"

namespace stratumd {
namespace {

using namespace std::chrono_literals;

const UtcTime kStart{std::chrono::seconds{1'790'000'000}};

struct Steered {
  double rms = 0.0;
  double final_frequency = 0.0;
};

// Samples once per `interval` with Gaussian noise, each correction applied `latency` after its
// sample (a polled driver reads the edge late); RMS of the true error over the second half.
Steered steer(Servo& servo, SimClock& clock, double noise, int samples, Nanoseconds interval,
              Nanoseconds latency = 0ns) {
  std::mt19937_64 rng(11);
  std::normal_distribution<double> gauss(0.0, noise);
  servo.reset(clock, false, clock.now());
  double squares = 0.0;
  int counted = 0;
  for (int i = 0; i < samples; ++i) {
    clock.advance(interval - latency);
    const UtcTime edge = clock.now();
    const Nanoseconds offset = clock.true_time() - (edge + from_seconds(gauss(rng)));
    clock.advance(latency);
    const ServoCorrection c = servo.sample(offset, edge, clock);
    if (c.accepted) {
      clock.set_frequency(c.frequency_ppm);
      clock.slew(c.slew, c.slew_duration);
    }
    if (i >= samples / 2) {
      squares += std::pow(to_seconds(clock.time_error()), 2);
      ++counted;
    }
  }
  return {std::sqrt(squares / counted), clock.frequency_ppm()};
}

TEST(KalmanServo, AveragesPpsNoiseWellBelowASingleSample) {
  SimClock clock(kStart, 0ns,
                 OscillatorParams{.frequency_error_ppm = 50.0, .random_walk_fm = 1e-5});
  KalmanServo servo;
  const Steered s = steer(servo, clock, 1e-6, 3600, 1s);
  EXPECT_LT(s.rms, 0.4e-6);  // one sample alone is 1 us
  EXPECT_NEAR(s.final_frequency, -50.0, 0.01);
  // The noise it measured is the noise there is.
  EXPECT_NEAR(to_seconds(servo.estimate().jitter), 1e-6, 0.3e-6);
}

TEST(KalmanServo, CorrectionsAppliedLateAreAccountedExactly) {
  // The frequency and slew take effect 0.7 s after the edge they come from, as with a driver
  // polled once a second: a servo that assumed them in effect at the edge would be biased by
  // the change times the latency, and oscillate.
  SimClock clock(kStart, 0ns,
                 OscillatorParams{.frequency_error_ppm = 50.0, .random_walk_fm = 1e-5});
  KalmanServo servo;
  const Steered s = steer(servo, clock, 1e-6, 3600, 1s, 700ms);
  EXPECT_LT(s.rms, 0.4e-6);
  EXPECT_NEAR(s.final_frequency, -50.0, 0.01);
}

TEST(KalmanServo, RefusesAGlitchOnceItKnowsTheNoise) {
  SimClock clock(kStart, 0ns, OscillatorParams{.frequency_error_ppm = 5.0});
  KalmanServo servo;
  steer(servo, clock, 1e-6, 120, 1s);
  const UtcTime before = clock.now();
  clock.advance(1s);
  const ServoCorrection glitch =
      servo.sample(clock.true_time() - clock.now() + 10ms, clock.now(), clock);
  EXPECT_FALSE(glitch.accepted);
  EXPECT_EQ(servo.refused(), 1u);
  EXPECT_GT(clock.now(), before);
}

TEST(KalmanServo, RefusedGlitchesLeaveNoTrace) {
  // The same clock and noise twice, once with a 10 ms glitch every 500 samples: the glitches are
  // refused, and the samples after them judged over the right interval (the drift since the last
  // accepted sample), so the clock follows the same path.
  const auto run = [](bool glitches) {
    SimClock clock(kStart, 0ns,
                   OscillatorParams{.frequency_error_ppm = 50.0, .random_walk_fm = 1e-5});
    KalmanServo servo;
    std::mt19937_64 rng(7);
    std::normal_distribution<double> gauss(0.0, 1e-6);
    servo.reset(clock, false, clock.now());
    std::vector<double> errors;
    for (int i = 0; i < 7200; ++i) {
      clock.advance(1s);
      const double glitch = glitches && i > 600 && i % 500 == 0 ? 10e-3 : 0.0;
      const ServoCorrection c =
          servo.sample(clock.true_time() - (clock.now() + from_seconds(gauss(rng) + glitch)),
                       clock.now(), clock);
      if (c.accepted) {
        clock.set_frequency(c.frequency_ppm);
        clock.slew(c.slew, c.slew_duration);
      }
      errors.push_back(to_seconds(clock.time_error()));
    }
    return errors;
  };
  const std::vector<double> clean = run(false);
  const std::vector<double> glitched = run(true);
  double worst = 0.0;
  for (std::size_t i = 1200; i < clean.size(); ++i) {
    worst = std::max(worst, std::abs(glitched[i] - clean[i]));
  }
  EXPECT_LT(worst, 100e-9);
}

TEST(KalmanServo, NeverAsksForMoreThanTheFrequencyLimit) {
  SimClock clock(kStart, 0ns, OscillatorParams{});
  KalmanServo servo;
  servo.reset(clock, false, kStart);
  // Samples that would need 2000 ppm (the slews are the clock's to pace).
  for (int i = 1; i <= 20; ++i) {
    clock.advance(1s);
    const ServoCorrection c = servo.sample(from_seconds(2e-3 * i), clock.now(), clock);
    ASSERT_LE(std::abs(c.frequency_ppm), kMaxFrequencyPpm);
    ASSERT_GT(c.slew_duration, 0ns);
  }
}

// Network samples: three servers polled in turn, each exchange queued on both legs (100 us each
// way plus exponential noise of 50 us mean), as a LAN does. The servo is told each sample's
// variance from its delay above the path's least (DelayFloor, as the associations compute it),
// or nothing (it measures the stream's noise itself): weighting each by what its delay says it
// is worth must beat treating all alike.
double steer_network(Servo& servo, SimClock& clock, bool weighted) {
  std::mt19937_64 rng(5);
  std::exponential_distribution<double> queue(1.0 / 50e-6);
  std::array<DelayFloor, 3> paths{};
  servo.reset(clock, false, clock.now());
  double squares = 0.0;
  int counted = 0;
  const int samples = 3 * 400;  // 16 s polls of each server: about 1.8 h
  for (int i = 0; i < samples; ++i) {
    clock.advance(std::chrono::milliseconds{5333});
    const double out = 100e-6 + queue(rng), back = 100e-6 + queue(rng);
    const double delay = out + back;
    // The measured offset is off by half the legs' difference.
    const Nanoseconds offset = clock.true_time() - clock.now() + from_seconds((out - back) / 2.0);
    DelayFloor& path = paths[static_cast<std::size_t>(i % 3)];
    path.add(delay);
    const double variance = weighted ? path.sample_variance(delay, 1e-6) : 0.0;
    const ServoCorrection c = servo.sample(offset, clock.now(), clock, variance);
    if (c.accepted) {
      clock.set_frequency(c.frequency_ppm);
      clock.slew(c.slew, c.slew_duration);
    }
    if (i >= samples / 2) {
      squares += std::pow(to_seconds(clock.time_error()), 2);
      ++counted;
    }
  }
  return std::sqrt(squares / counted);
}

TEST(KalmanServo, NetworkSamplesWeightedByTheirDelayBeatTreatingAllAlike) {
  const OscillatorParams oscillator{.frequency_error_ppm = 50.0, .random_walk_fm = 1e-3};
  SimClock weighted_clock(kStart, 0ns, oscillator);
  SimClock plain_clock(kStart, 0ns, oscillator);
  const KalmanServoParams network{
      .name = "network-kalman", .initial_noise = 1e-3, .slew_duration = std::chrono::seconds{8}};
  KalmanServo weighted(network), plain(network);
  const double weighted_rms = steer_network(weighted, weighted_clock, true);
  const double plain_rms = steer_network(plain, plain_clock, false);
  // One sample is off by 35 us RMS; the least-delayed ones by a few.
  EXPECT_LT(weighted_rms, 6e-6);
  EXPECT_LT(weighted_rms, 0.85 * plain_rms)
      << "weighted " << weighted_rms << " plain " << plain_rms;
  EXPECT_NEAR(weighted_clock.frequency_ppm(), -50.0, 0.2);
}

TEST(DelayFloor, AnExchangeDelayedBeyondThePathsLeastIsWorthLess) {
  DelayFloor path;
  EXPECT_EQ(path.count(), 0u);
  for (double d : {300e-6, 220e-6, 260e-6, 500e-6}) path.add(d);
  EXPECT_DOUBLE_EQ(path.least(), 220e-6);
  // Delayed 120 us more than the least: its offset is off by up to 60 us, uniformly.
  EXPECT_NEAR(path.variance(340e-6, 0.0), 120e-6 * 120e-6 / 12.0, 1e-15);
  EXPECT_DOUBLE_EQ(path.variance(220e-6, 4e-12), 4e-12);
  EXPECT_NEAR(path.median_excess(), 80e-6, 1e-12);  // of 220, 260, 300, 500: the third
  // The window follows a path that changed: after 32 slower exchanges the old least is gone.
  for (std::size_t i = 0; i < DelayFloor::kWindow; ++i) path.add(900e-6);
  EXPECT_DOUBLE_EQ(path.least(), 900e-6);
}

}  // namespace
}  // namespace stratumd
