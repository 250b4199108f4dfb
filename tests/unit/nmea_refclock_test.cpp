// The NMEA reference clock's running count of seconds: a sentence off the count is not believed at
// once and not ignored forever; sentences of one cycle that disagree stop the labels until they
// agree; a leap second keeps the count.
#include "refclock/nmea_refclock.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "nmea_test_sentences.hpp"

namespace stratumd {
namespace {

using namespace std::chrono;

struct Receiver {
  std::vector<std::int64_t> labels;
  std::vector<std::string> log;
  NmeaRefclock nmea{NmeaRefclockConfig{sys_days{2026y / January / 1}},
                    [this](const NmeaLabel& l) { labels.push_back(l.label.second); },
                    [this](const std::string& line) { log.push_back(line); }};
  // The served clock when a cycle's sentences arrive: 150 ms after each true second.
  UtcTime arrival_for(std::int64_t true_second) const {
    return UtcTime{seconds{true_second}} + 150ms + served_clock_error;
  }
  Nanoseconds served_clock_error{0};  // how far the served clock, which stamps arrivals, is off
  // One cycle: an RMC naming `named` (and a GGA naming `gga_named`, by default the same), as
  // they arrive `true_second` + 150 ms.
  void cycle(std::int64_t true_second, std::int64_t named, std::string gga_talker = "GP",
             std::optional<std::int64_t> gga_named = std::nullopt, bool leap = false) {
    send("GPRMC," + hhmmss(named, leap) + ",A,,,,,,," + ddmmyy(named) + ",,,A",
         arrival_for(true_second));
    send(gga_talker + "GGA," + hhmmss(gga_named.value_or(named), leap) + ",,,,,1,08,0.9,,M,,M,,",
         arrival_for(true_second) + 40ms);
  }
  void send(const std::string& body, UtcTime arrival) {
    const std::string text = testing::nmea_sentence(body);
    nmea.on_line(NmeaLine{text, arrival});
  }
  static std::string hhmmss(std::int64_t s, bool leap) {
    const sys_seconds t{seconds{s}};
    const hh_mm_ss hms{t - floor<days>(t)};
    char text[48];
    std::snprintf(text, sizeof text, "%02ld%02ld%02ld.00", long(hms.hours().count()),
                  long(hms.minutes().count()), leap ? 60L : long(hms.seconds().count()));
    return text;
  }
  static std::string ddmmyy(std::int64_t s) {
    const year_month_day ymd{floor<days>(sys_seconds{seconds{s}})};
    char text[48];
    std::snprintf(text, sizeof text, "%02u%02u%02d", unsigned(ymd.day()), unsigned(ymd.month()),
                  int(ymd.year()) % 100);
    return text;
  }
};

const std::int64_t kNoon =
    sys_seconds{sys_days{2026y / November / 26} + 12h}.time_since_epoch().count();

TEST(NmeaRefclock, OneSentenceADayAheadIsNotBelievedAndDeafensNothing) {
  Receiver r;
  for (int i = 0; i < 5; ++i) r.cycle(kNoon + i, kNoon + i);
  r.cycle(kNoon + 5, kNoon + 5 + 86400);  // one checksum-valid cycle a day ahead
  for (int i = 6; i < 10; ++i) r.cycle(kNoon + i, kNoon + i);
  std::vector<std::int64_t> want;
  for (int i = 0; i < 10; ++i) {
    if (i != 5) want.push_back(kNoon + i);
  }
  EXPECT_EQ(r.labels, want);
  EXPECT_EQ(r.nmea.counters().unconfirmed, 1u);
  EXPECT_EQ(r.nmea.counters().jumps, 0u);
}

TEST(NmeaRefclock, ANewTimeThatPersistsIsBelievedAndLoggedWithBothTimes) {
  Receiver r;
  for (int i = 0; i < 5; ++i) r.cycle(kNoon + i, kNoon + i);
  // From here the receiver says an hour later, and keeps saying it.
  for (int i = 5; i < 12; ++i) r.cycle(kNoon + i, kNoon + i + 3600);
  ASSERT_EQ(r.labels.size(), 5u + (7 - (kSecondsToBelieveAJump - 1)));
  EXPECT_EQ(r.labels[5], kNoon + 5 + (kSecondsToBelieveAJump - 1) + 3600);
  EXPECT_EQ(r.labels.back(), kNoon + 11 + 3600);
  EXPECT_EQ(r.nmea.counters().jumps, 1u);
  ASSERT_EQ(r.log.size(), 1u);
  EXPECT_NE(r.log[0].find("2026-11-26 12:00:07 to 2026-11-26 13:00:07 (3600 s)"), std::string::npos)
      << r.log[0];
}

TEST(NmeaRefclock, TalkersThatDisagreeStopTheLabelsUntilTheyAgree) {
  Receiver r;
  for (int i = 0; i < 3; ++i) r.cycle(kNoon + i, kNoon + i);
  r.cycle(kNoon + 3, kNoon + 3, "GN", kNoon + 4);  // GN a second ahead of GP
  r.cycle(kNoon + 4, kNoon + 4, "GN", kNoon + 5);  // still
  r.cycle(kNoon + 5, kNoon + 5);                   // agreeing again: this cycle is held
  r.cycle(kNoon + 6, kNoon + 6);                   // and from the next one on, labels
  EXPECT_EQ(r.labels,
            (std::vector<std::int64_t>{kNoon, kNoon + 1, kNoon + 2, kNoon + 3, kNoon + 6}));
  EXPECT_EQ(r.nmea.counters().talkers_disagree, 2u);
  ASSERT_FALSE(r.log.empty());
  EXPECT_NE(r.log[0].find("no label until they agree"), std::string::npos);
}

TEST(NmeaRefclock, ALeapSecondKeepsTheCount) {
  Receiver r;
  const std::int64_t midnight =
      sys_seconds{sys_days{2026y / December / 31} + 24h}.time_since_epoch().count();
  // 23:59:58, 23:59:59, 23:59:60 (named as the next midnight, flagged), then 00:00:00 a second
  // after the leap second.
  r.cycle(midnight - 100, midnight - 2);
  r.cycle(midnight - 99, midnight - 1);
  r.cycle(midnight - 98, midnight - 1, "GP", std::nullopt, true);
  r.cycle(midnight - 97, midnight);
  r.cycle(midnight - 96, midnight + 1);
  EXPECT_EQ(r.labels,
            (std::vector<std::int64_t>{midnight - 2, midnight - 1, midnight, midnight + 1}));
  EXPECT_EQ(r.nmea.counters().unconfirmed, 0u);
  EXPECT_EQ(r.nmea.counters().leap_second_skipped, 1u);
}

TEST(NmeaRefclock, OurOwnStepIsNotTakenForAJumpOfTheReceiver) {
  Receiver r;
  for (int i = 0; i < 5; ++i) r.cycle(kNoon + i, kNoon + i);
  // The served clock is stepped by -18 s (it had followed the network's wrong time): the
  // receiver's seconds go on as before, only their arrival stamps moved.
  r.served_clock_error = -18s;
  r.nmea.clock_stepped(-18s);
  for (int i = 5; i < 10; ++i) r.cycle(kNoon + i, kNoon + i);
  EXPECT_EQ(r.labels.size(), 10u);
  EXPECT_EQ(r.nmea.counters().jumps, 0u);
  EXPECT_EQ(r.nmea.counters().unconfirmed, 0u);
  EXPECT_TRUE(r.log.empty()) << r.log.front();
}

}  // namespace
}  // namespace stratumd
