// The clocks' account of their corrections, and the stamps carried onto the served clock with it.
#include "firmware/clock/correction_ledger.hpp"

#include <gtest/gtest.h>

#include "drivers/clock/kernel_stamps.hpp"
#include "firmware/clock/sim_clock.hpp"

namespace stratumd {
namespace {

using namespace std::chrono_literals;

const UtcTime kStart{std::chrono::seconds{1'790'000'000}};

TEST(CorrectionLedger, IntegratesEachRateFromWhenItWasSet) {
  CorrectionLedger ledger;
  ledger.restart(kStart, 10e-6);
  ledger.change(kStart + 2s, -5e-6);
  EXPECT_DOUBLE_EQ(ledger.at(kStart + 1s) - ledger.at(kStart), 10e-6);
  // 10 ppm for 2 s, then -5 ppm for 1 s.
  EXPECT_NEAR(ledger.at(kStart + 3s) - ledger.at(kStart), 20e-6 - 5e-6, 1e-15);
  EXPECT_DOUBLE_EQ(ledger.rate_at(kStart + 1s), 10e-6);
  EXPECT_DOUBLE_EQ(ledger.rate_at(kStart + 2500ms), -5e-6);
}

TEST(CorrectionLedger, AScheduledEndIsKeptUnlessReplacedBeforeIt) {
  CorrectionLedger ledger;
  ledger.restart(kStart, 0.0);
  // A slew of 2 us over 1 s on top of 1 ppm.
  ledger.change(kStart, 3e-6, CorrectionLedger::Scheduled{kStart + 1s, 1e-6});
  EXPECT_NEAR(ledger.at(kStart + 2s) - ledger.at(kStart), 3e-6 + 1e-6, 1e-15);
  // Replaced half-way: the scheduled end no longer holds.
  ledger.change(kStart + 500ms, 1e-6);
  EXPECT_NEAR(ledger.at(kStart + 2s) - ledger.at(kStart), 1.5e-6 + 1.5e-6, 1e-15);
}

TEST(CorrectionLedger, ReadsBeforeTheOldestPieceExtrapolate) {
  CorrectionLedger ledger;
  ledger.restart(kStart, 2e-6);
  for (int i = 1; i <= 100; ++i) ledger.change(kStart + std::chrono::seconds{i}, 2e-6);
  EXPECT_NEAR(ledger.at(kStart + 100s) - ledger.at(kStart + 99s), 2e-6, 1e-15);
  EXPECT_NEAR(ledger.at(kStart + 100s) - ledger.at(kStart), 200e-6, 1e-12);
}

TEST(SimClock, TheLedgerAccountsForEverythingTheClockDid) {
  // A perfect oscillator: whatever the clock gained on true time is its corrections.
  SimClock clock(kStart, 0ns, OscillatorParams{});
  const UtcTime first = clock.now();
  clock.set_frequency(12.3456789);
  clock.advance(700ms);
  clock.slew(3us, 1s);
  clock.advance(400ms);
  clock.set_frequency(-4.0);  // mid-slew
  clock.advance(3s);
  clock.slew(-250us, 100ms);  // beyond 500 ppm: the clock takes longer
  clock.advance(2s);
  const double gained = to_seconds(clock.now() - clock.true_time());
  EXPECT_NEAR(clock.corrections().at(clock.now()) - clock.corrections().at(first), gained, 2e-9);
}

TEST(SimClock, SteersInTheKernelsFrequencySteps) {
  SimClock clock(kStart, 0ns, OscillatorParams{});
  clock.set_frequency(1.0 + 0.3 / 65536.0);
  EXPECT_DOUBLE_EQ(clock.frequency_ppm(), 1.0);
  clock.set_frequency(1.0 + 0.7 / 65536.0);
  EXPECT_DOUBLE_EQ(clock.frequency_ppm(), 1.0 + 1.0 / 65536.0);
}

// The served clock disciplined on an oscillator 50 ppm fast; the kernel clock is that oscillator
// left alone (CLOCK_REALTIME under -x). A stamp read 0.4 s before the conversion.
TEST(KernelStamps, ScalesTheStampsAgeByTheMeasuredRate) {
  SimClock served(kStart, 0ns, OscillatorParams{.frequency_error_ppm = 50.0});
  served.set_frequency(-50.0);
  SimClock kernel(kStart, 0ns, OscillatorParams{.frequency_error_ppm = 50.0});
  const auto advance = [&](Nanoseconds dt) {
    served.advance(dt);
    kernel.advance(dt);
  };
  const KernelStamps stamps(served, [&] { return kernel.now().time_since_epoch(); });
  for (int i = 0; i < 40; ++i) {
    advance(1s);
    stamps.to_served(kernel.now().time_since_epoch());
  }
  EXPECT_NEAR(stamps.rate(), -50e-6, 1e-9);
  const Nanoseconds stamp = kernel.now().time_since_epoch();
  const UtcTime served_then = served.now();
  advance(400ms);
  const UtcTime carried = stamps.to_served(stamp);
  EXPECT_LT(std::abs((carried - served_then).count()), 5);  // unscaled: 20 us off
}

TEST(KernelStamps, AStepOfEitherClockIsNotARate) {
  SimClock served(kStart, 0ns, OscillatorParams{});
  SimClock kernel(kStart, 0ns, OscillatorParams{});
  const KernelStamps stamps(served, [&] { return kernel.now().time_since_epoch(); });
  for (int i = 0; i < 40; ++i) {
    served.advance(1s);
    kernel.advance(1s);
    if (i == 20) kernel.step(-2s);
    stamps.to_served(kernel.now().time_since_epoch());
  }
  EXPECT_NEAR(stamps.rate(), 0.0, 1e-9);
}

}  // namespace
}  // namespace stratumd
