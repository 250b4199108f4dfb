// The reference clock between its samples: producing, awaited at start, judged by its own error,
// and a receiver's correction to UTC recognised once, soon after its first fix.
#include "firmware/reference_watch.hpp"

#include <gtest/gtest.h>

namespace stratumd {
namespace {

using namespace std::chrono_literals;
using Steady = ReferenceWatch::Steady;

const Steady kStart{std::chrono::hours{1000}};
const UtcTime kNoon{std::chrono::sys_days{std::chrono::year{2026} / 12 / 6} + 12h};

ReferenceSample sample(Nanoseconds offset, SampleKind kind = SampleKind::pps) {
  return ReferenceSample{RefSample{kNoon, kNoon + offset, LeapIndicator::none}, kind, 0};
}

TEST(ReferenceWatch, AwaitedAtStartProducingWhileHeardAndJudgedByItsOwnError) {
  ReferenceWatch watch(kStart);
  EXPECT_TRUE(watch.state(true, true, false, std::nullopt, kStart + 5s).awaited);
  EXPECT_FALSE(watch.state(true, true, false, std::nullopt, kStart + 31s).awaited);
  EXPECT_FALSE(watch.state(true, false, false, std::nullopt, kStart + 5s).awaited);  // bare PPS
  EXPECT_FALSE(watch.state(false, true, false, std::nullopt, kStart + 5s).awaited);
  watch.heard(sample(1s, SampleKind::nmea_only), kStart + 6s);
  ReferenceClockState s = watch.state(true, true, false, 20e-6, kStart + 7s);
  EXPECT_FALSE(s.awaited);
  EXPECT_TRUE(s.producing);
  ASSERT_TRUE(s.recent_offset);
  EXPECT_DOUBLE_EQ(*s.recent_offset, 1.0);
  EXPECT_FALSE(s.pulse_backed);
  EXPECT_NEAR(s.sample_error, 5e-3 + 20e-6, 1e-12);
  // Quiet for a while: no longer producing, still judged; later not even that.
  s = watch.state(true, true, true, std::nullopt, kStart + 30s);
  EXPECT_FALSE(s.producing);
  EXPECT_TRUE(s.serving);
  EXPECT_TRUE(s.recent_offset);
  EXPECT_FALSE(watch.state(true, true, true, std::nullopt, kStart + 200s).recent_offset);
  // A step of our clock: the offset belonged to the old one.
  watch.heard(sample(10s), kStart + 201s);
  watch.clock_stepped();
  EXPECT_FALSE(watch.state(true, true, true, std::nullopt, kStart + 202s).recent_offset);
}

TEST(ReferenceWatch, AWholeSecondJumpSoonAfterTheFirstFixIsTheReceiversCorrectionOnce) {
  ReferenceWatch watch(kStart);
  watch.heard(sample(0s), kStart + 2s);
  // Not whole seconds, or within the step threshold: not a correction.
  EXPECT_FALSE(watch.utc_correction(sample(-1500ms), 0.128, kStart + 40s));
  EXPECT_FALSE(watch.utc_correction(sample(-100ms), 0.128, kStart + 40s));
  EXPECT_FALSE(watch.utc_correction(sample(-3600s), 0.128, kStart + 40s));  // an hour: a lie
  EXPECT_FALSE(watch.utc_correction(sample(-18s), 0.0, kStart + 40s));      // tinker step 0
  EXPECT_TRUE(watch.utc_correction(sample(-18s + 2ms), 0.128, kStart + 40s));
  // Receivers learn UTC once: the next jump waits for stepout.
  EXPECT_FALSE(watch.utc_correction(sample(-1s), 0.128, kStart + 50s));
  // Too late after the first fix.
  ReferenceWatch late(kStart);
  late.heard(sample(0s), kStart + 2s);
  EXPECT_FALSE(late.utc_correction(sample(-18s), 0.128, kStart + 2s + 21min));
}

TEST(ReferenceWatch, SilentOnlyAfterAQuietMinute) {
  ReferenceWatch watch(kStart);
  EXPECT_FALSE(watch.silent_for(60s, kStart + 30s));
  EXPECT_TRUE(watch.silent_for(60s, kStart + 61s));
  watch.heard(sample(0s), kStart + 61s);
  EXPECT_FALSE(watch.silent_for(60s, kStart + 100s));
  EXPECT_TRUE(watch.silent_for(60s, kStart + 122s));
}

}  // namespace
}  // namespace stratumd
