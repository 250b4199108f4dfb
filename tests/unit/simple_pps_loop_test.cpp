#include "firmware/discipline/simple_pps_loop.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "firmware/clock/sim_clock.hpp"
#include "refclock/pps_labeler.hpp"

namespace stratumd {
namespace {

using namespace std::chrono_literals;

const UtcTime kStart{std::chrono::seconds{1'790'000'000}};

// Drives a SimClock with a simulated PPS receiver: one edge per true second, stamped on the
// served clock with Gaussian jitter, labelled 150 ms later. No real time passes.
class PpsSimulation {
 public:
  PpsSimulation(Nanoseconds initial_offset, double frequency_error_ppm, double jitter_s = 1e-6)
      : clock_(kStart, initial_offset,
               OscillatorParams{.frequency_error_ppm = frequency_error_ppm}),
        loop_(clock_),
        jitter_s_(jitter_s) {}

  // Runs `seconds` PPS periods; `glitch(second)` may add an error to an edge's stamp.
  template <typename Glitch>
  void run(int seconds, Glitch glitch, bool pps_present = true) {
    for (int i = 0; i < seconds; ++i) {
      clock_.advance(1s - (clock_.true_time().time_since_epoch() % 1s));  // to the true edge
      const std::int64_t second =
          std::chrono::duration_cast<std::chrono::seconds>(clock_.true_time().time_since_epoch())
              .count();
      if (pps_present) {
        labeler_.on_edge({clock_.now() + from_seconds(jitter_s_ * noise_(rng_)) + glitch(second)});
      }
      clock_.advance(150ms);
      if (pps_present) {
        if (auto sample = labeler_.on_label({second, clock_.now(), true, LeapIndicator::none})) {
          loop_.on_sample(*sample);
        }
      }
      loop_.on_tick(clock_.now());
      if (loop_.status().state == SyncState::locked && !locked_at_) locked_at_ = i;
      if (i >= seconds - 60)
        worst_recent_ = std::max(worst_recent_, std::abs(to_seconds(clock_.time_error())));
    }
  }
  void run(int seconds) {
    run(seconds, [](std::int64_t) { return 0ns; });
  }

  SimClock clock_;
  SimplePpsLoop loop_;
  PpsLabeler labeler_;
  double jitter_s_;
  std::mt19937_64 rng_{7};
  std::normal_distribution<double> noise_{0.0, 1.0};
  std::optional<int> locked_at_;
  double worst_recent_ = 0.0;
};

TEST(SimplePpsLoop, StepsALargeInitialOffsetAndLocksFromSeventeenPpm) {
  PpsSimulation sim(300ms, 17.5);
  sim.run(180);
  EXPECT_EQ(sim.loop_.status().steps, 1u);
  ASSERT_TRUE(sim.locked_at_);
  EXPECT_LT(*sim.locked_at_, 30);
  EXPECT_EQ(sim.loop_.status().state, SyncState::locked);
  // The last minute stays within a few jitter sigmas of true time.
  EXPECT_LT(sim.worst_recent_, 5e-6);
  EXPECT_NEAR(sim.loop_.status().frequency_ppm, -17.5, 0.5);
}

TEST(SimplePpsLoop, LocksFromFiftyPpm) {
  PpsSimulation sim(200ms, -50.0);
  sim.run(240);
  ASSERT_TRUE(sim.locked_at_);
  EXPECT_LT(*sim.locked_at_, 60);
  EXPECT_LT(sim.worst_recent_, 5e-6);
}

TEST(SimplePpsLoop, SlewsASmallInitialOffsetWithoutStepping) {
  PpsSimulation sim(50us, 2.0);
  sim.run(120);
  EXPECT_EQ(sim.loop_.status().steps, 0u);
  EXPECT_EQ(sim.loop_.status().state, SyncState::locked);
  EXPECT_LT(sim.worst_recent_, 5e-6);
}

TEST(SimplePpsLoop, ATenMillisecondGlitchDoesNotMoveTheClock) {
  PpsSimulation sim(300ms, 17.5);
  sim.run(120);
  ASSERT_EQ(sim.loop_.status().state, SyncState::locked);
  const std::int64_t glitch_second =
      std::chrono::duration_cast<std::chrono::seconds>(sim.clock_.true_time().time_since_epoch())
          .count() +
      1;
  sim.run(60, [&](std::int64_t s) { return s == glitch_second ? Nanoseconds{10ms} : 0ns; });
  EXPECT_EQ(sim.loop_.status().outliers, 1u);
  EXPECT_EQ(sim.loop_.status().state, SyncState::locked);
  EXPECT_LT(sim.worst_recent_, 5e-6);
}

TEST(SimplePpsLoop, HoldsOverWhenPpsStopsThenGivesUpAfterTheLimit) {
  PpsSimulation sim(300ms, 17.5);
  sim.run(120);
  ASSERT_EQ(sim.loop_.status().state, SyncState::locked);
  sim.run(
      10, [](std::int64_t) { return 0ns; }, false);
  EXPECT_EQ(sim.loop_.status().state, SyncState::holdover);
  ClockSnapshot snapshot;
  sim.loop_.fill_snapshot(snapshot, make_refid("PPS"));
  EXPECT_EQ(snapshot.stratum, 1);
  EXPECT_TRUE(snapshot.synchronised());
  // PPS returns: locked again.
  sim.run(5);
  EXPECT_EQ(sim.loop_.status().state, SyncState::locked);
  // Gone for longer than the limit: unsynchronised, served as such.
  sim.run(
      3700, [](std::int64_t) { return 0ns; }, false);
  EXPECT_EQ(sim.loop_.status().state, SyncState::unsynchronised);
  sim.loop_.fill_snapshot(snapshot, make_refid("PPS"));
  EXPECT_FALSE(snapshot.synchronised());
  EXPECT_EQ(snapshot.leap, LeapIndicator::unsynchronised);
}

TEST(SimplePpsLoop, InconsistentSamplesNeverSetAnAbsurdFrequency) {
  // A replayed or broken source whose seconds come 0.33 s apart in local time: the one-shot
  // frequency estimate would be +2e6 ppm. It must be refused, and the frequency stay bounded.
  SimClock clock(kStart, 0ns, OscillatorParams{});
  SimplePpsLoop loop(clock);
  UtcTime reference = kStart;
  for (int i = 0; i < 20; ++i) {
    clock.advance(333ms);
    reference += 1s;
    loop.on_sample(RefSample{clock.now(), reference, LeapIndicator::none});
    ASSERT_LE(std::abs(loop.status().frequency_ppm), 500.0) << i;
  }
  EXPECT_NE(loop.status().state, SyncState::locked);
}

TEST(SimplePpsLoop, ALargeOffsetWhileLockingStepsAgain) {
  SimClock clock(kStart, 0ns, OscillatorParams{});
  SimplePpsLoop loop(clock);
  UtcTime reference = kStart;
  const auto sample_at = [&](Nanoseconds source_error) {
    clock.advance(1s);
    reference += 1s;
    loop.on_sample(RefSample{clock.now(), reference + source_error, LeapIndicator::none});
  };
  sample_at(300ms);  // first sample: step
  ASSERT_EQ(loop.status().steps, 1u);
  sample_at(0ns);  // source jumps back by 300 ms while the loop is still locking
  sample_at(0ns);
  EXPECT_EQ(loop.status().steps, 2u);
  EXPECT_LT(std::abs(to_seconds(clock.now() - reference)), 0.001);
}

TEST(SimplePpsLoop, UnsynchronisedUntilItLocks) {
  PpsSimulation sim(300ms, 17.5);
  ClockSnapshot snapshot;
  sim.loop_.fill_snapshot(snapshot, make_refid("PPS"));
  EXPECT_FALSE(snapshot.synchronised());
  sim.run(1);
  sim.loop_.fill_snapshot(snapshot, make_refid("PPS"));
  EXPECT_EQ(snapshot.state, SyncState::locking);
  EXPECT_FALSE(snapshot.synchronised());
  EXPECT_TRUE(snapshot.has_stepped);
}

}  // namespace
}  // namespace stratumd
