#include "refclock/pps_labeler.hpp"

#include <gtest/gtest.h>

namespace stratumd {
namespace {

using namespace std::chrono_literals;

constexpr std::int64_t kFirstSecond = 1'790'000'000;
// The local clock is 2.5 s off: labelling must not depend on it being right.
constexpr auto kLocalError = 2500ms;

UtcTime local_at(std::int64_t second, Nanoseconds after = 0ns) {
  return UtcTime{std::chrono::seconds{second}} + kLocalError + after;
}

TimeLabel label(std::int64_t second, Nanoseconds delay = 150ms, bool fix = true) {
  return TimeLabel{second, local_at(second, delay), fix, LeapIndicator::none};
}

TEST(PpsLabeler, PairsEachEdgeWithTheLabelThatFollowsIt) {
  PpsLabeler labeler;
  for (std::int64_t s = kFirstSecond; s < kFirstSecond + 5; ++s) {
    labeler.on_edge({local_at(s, 3us)});
    const auto sample = labeler.on_label(label(s));
    ASSERT_TRUE(sample);
    EXPECT_EQ(sample->reference, UtcTime{std::chrono::seconds{s}});
    EXPECT_EQ(sample->offset(), -(kLocalError + 3us));
  }
  EXPECT_EQ(labeler.counters().labelled, 5u);
}

TEST(PpsLabeler, RefusesALabelWithoutFix) {
  PpsLabeler labeler;
  labeler.on_edge({local_at(kFirstSecond)});
  EXPECT_FALSE(labeler.on_label(label(kFirstSecond, 150ms, false)));
  EXPECT_EQ(labeler.counters().no_fix, 1u);
}

TEST(PpsLabeler, RefusesALabelWithNoEdgeInTheSecondBeforeIt) {
  PpsLabeler labeler;
  labeler.on_edge({local_at(kFirstSecond)});
  EXPECT_FALSE(labeler.on_label(label(kFirstSecond, 1200ms)));  // the edge is stale
  EXPECT_FALSE(labeler.on_label(label(kFirstSecond + 1)));      // no edge at all
  EXPECT_EQ(labeler.counters().no_edge, 2u);
}

TEST(PpsLabeler, RefusesALabelWhoseSecondDisagreesWithTheEdgeCount) {
  PpsLabeler labeler;
  labeler.on_edge({local_at(kFirstSecond)});
  ASSERT_TRUE(labeler.on_label(label(kFirstSecond)));
  // The receiver names the next edge two seconds later than it is: a wrong second.
  labeler.on_edge({local_at(kFirstSecond + 1)});
  TimeLabel wrong = label(kFirstSecond + 1);
  wrong.second = kFirstSecond + 2;
  EXPECT_FALSE(labeler.on_label(wrong));
  EXPECT_EQ(labeler.counters().mismatched, 1u);
  // A label repeating the previous second is refused too.
  labeler.on_edge({local_at(kFirstSecond + 2)});
  ASSERT_TRUE(labeler.on_label(label(kFirstSecond + 2)));
  labeler.on_edge({local_at(kFirstSecond + 3)});
  TimeLabel repeated = label(kFirstSecond + 3);
  repeated.second = kFirstSecond + 2;
  EXPECT_FALSE(labeler.on_label(repeated));
}

TEST(PpsLabeler, ADoubledPulseIsNotLabelled) {
  PpsLabeler labeler;
  labeler.on_edge({local_at(kFirstSecond)});
  ASSERT_TRUE(labeler.on_label(label(kFirstSecond)));
  // Both edges of the pulse come through (or a glitch): which one starts the second is unknown.
  labeler.on_edge({local_at(kFirstSecond + 1)});
  labeler.on_edge({local_at(kFirstSecond + 1, 100ms)});
  EXPECT_FALSE(labeler.on_label(label(kFirstSecond + 1, 150ms)));
  EXPECT_EQ(labeler.counters().doubled, 1u);
  // A clean pulse again: labelled again.
  labeler.on_edge({local_at(kFirstSecond + 2)});
  EXPECT_TRUE(labeler.on_label(label(kFirstSecond + 2)));
}

TEST(PpsLabeler, ALabelHandedOverAfterTheNextEdgeStillNamesItsOwn) {
  // gpsd's SHM is read once a second: the label that arrived 150 ms after edge S may be read
  // only after edge S+1 was seen. It names edge S (the one it arrived after), not S+1.
  PpsLabeler labeler;
  for (std::int64_t s = kFirstSecond; s < kFirstSecond + 5; ++s) {
    labeler.on_edge({local_at(s, 3us)});
    if (s == kFirstSecond) continue;
    const auto sample = labeler.on_label(label(s - 1));
    ASSERT_TRUE(sample) << s;
    EXPECT_EQ(sample->reference, UtcTime{std::chrono::seconds{s - 1}});
    EXPECT_EQ(sample->local, local_at(s - 1, 3us));
  }
  EXPECT_EQ(labeler.counters().labelled, 4u);
  EXPECT_EQ(labeler.counters().mismatched, 0u);
  // Neither edge is labelled twice.
  EXPECT_FALSE(labeler.on_label(label(kFirstSecond + 3)));
}

TEST(PpsLabeler, EachEdgeIsLabelledOnce) {
  PpsLabeler labeler;
  labeler.on_edge({local_at(kFirstSecond)});
  ASSERT_TRUE(labeler.on_label(label(kFirstSecond, 100ms)));
  EXPECT_FALSE(labeler.on_label(label(kFirstSecond, 200ms)));
}

}  // namespace
}  // namespace stratumd
