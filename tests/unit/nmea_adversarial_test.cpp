// Receiver input that lies: every case a field audit found getting through, each with what must
// happen now (refused with its reason, or the right label). Checksums are right throughout: these
// are sentences a receiver (or an attacker on its wire) really sends.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "nmea_test_sentences.hpp"
#include "refclock/gps_week_rollover.hpp"
#include "refclock/nmea_parser.hpp"
#include "refclock/nmea_time.hpp"

namespace stratumd {
namespace {

using namespace std::chrono;
using testing::nmea_sentence;

NmeaParseResult parse(const std::string& body) {
  return parse_nmea_sentence(nmea_sentence(body));
}

std::optional<NmeaTime> time_of(NmeaTimeAssembler& a, const std::string& body) {
  const NmeaParseResult r = parse(body);
  EXPECT_EQ(r.status, NmeaStatus::ok) << body;
  return a.on_sentence(r.sentence);
}

TEST(NmeaAdversarial, SignedFieldsDoNotParse) {
  for (const char* body : {
           "GPRMC,-10000.00,A,,,,,,,261126,,,A",  // hour -1
           "GPRMC,12-100.00,A,,,,,,,261126,,,A",  // minute -1
           "GPRMC,1200-1.00,A,,,,,,,261126,,,A",  // second -1
           "GPRMC,120000.00,A,,,,,,,2611-1,,,A",  // year -1
           "GPZDA,120000.00,26,11,-026,00,00",    // a ZDA year with a sign
           "GPZDA,120000.00,+6,11,2026,00,00",
       }) {
    EXPECT_EQ(parse(body).status, NmeaStatus::bad_field) << body;
  }
  // A signed satellite count or quality is not a number either (the fix is then judged without).
  EXPECT_FALSE(*parse("GPGGA,120000.00,,,,,-1,08,0.9,,M,,M,,").sentence.fix_valid);
}

TEST(NmeaAdversarial, OnlyASolutionFromTheSkyIsAFix) {
  for (const char* body : {"GPGGA,120000.00,,,,,6,08,0.9,,M,,M,,",  // estimated
                           "GPGGA,120000.00,,,,,7,08,0.9,,M,,M,,",  // manual input
                           "GPGGA,120000.00,,,,,8,08,0.9,,M,,M,,",  // simulator
                           "GPRMC,120000.00,A,,,,,,,261126,,,E",    // dead reckoning
                           "GPRMC,120000.00,A,,,,,,,261126,,,S",    // simulator (demo mode)
                           "GPRMC,120000.00,A,,,,,,,261126,,,M",    // manual
                           "GPRMC,120000.00,A,,,,,,,261126,,,N",    // none
                           "GPGLL,,,,,120000.00,A,S",               // simulator
                           "GNGNS,120000.00,,,,,NSE,08,0.9,,,,"}) {
    const NmeaParseResult r = parse(body);
    ASSERT_EQ(r.status, NmeaStatus::ok) << body;
    EXPECT_FALSE(*r.sentence.fix_valid) << body;
  }
  for (const char* body :
       {"GPGGA,120000.00,,,,,1,08,0.9,,M,,M,,", "GPGGA,120000.00,,,,,2,08,0.9,,M,,M,,",
        "GPGGA,120000.00,,,,,4,08,0.9,,M,,M,,", "GPRMC,120000.00,A,,,,,,,261126,,,A",
        "GPRMC,120000.00,A,,,,,,,261126,,,D",
        "GPRMC,120000.00,A,,,,,,,261126,,",  // NMEA 2.2: no mode field
        "GNGNS,120000.00,,,,,NAN,08,0.9,,,,"}) {
    const NmeaParseResult r = parse(body);
    ASSERT_EQ(r.status, NmeaStatus::ok) << body;
    EXPECT_TRUE(*r.sentence.fix_valid) << body;
  }
}

// `fix estimated`, for receivers that report dead reckoning while they hold time: estimated
// solutions count, manual input and the simulator still never do.
TEST(NmeaAdversarial, EstimatedFixesCountOnlyWhenTheOperatorSaysSo) {
  for (const bool accept : {false, true}) {
    NmeaTimeAssembler a(*parse_iso_date("2026-01-01"), true, accept);
    ASSERT_TRUE(time_of(a, "GPRMC,120000.00,V,,,,,,,261126,,,N"));  // the date
    EXPECT_EQ(time_of(a, "GPGGA,120001.00,,,,,6,08,0.9,,M,,M,,")->fix_valid, accept);
    EXPECT_EQ(time_of(a, "GPRMC,120002.00,A,,,,,,,261126,,,E")->fix_valid, accept);
    EXPECT_FALSE(time_of(a, "GPGGA,120003.00,,,,,8,08,0.9,,M,,M,,")->fix_valid);
    EXPECT_FALSE(time_of(a, "GPRMC,120004.00,A,,,,,,,261126,,,M")->fix_valid);
  }
}

TEST(NmeaAdversarial, ATwoDigitYearIsTheOneNearestTheBaseDate) {
  // A 2019 receiver with the week-rollover bug says 15 August 1999 ("99"): not 2099, but 1999
  // carried forward 1024 weeks.
  NmeaTimeAssembler in_2019(*parse_iso_date("2019-01-01"));
  const auto t = time_of(in_2019, "GPRMC,120000.00,A,,,,,,,150899,,,A");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->time, sys_days{1999y / August / 15} + days{7168} + 12h);
  EXPECT_EQ(t->rollover_periods, 1);
  // Today's receiver, today's base: "26" is 2026.
  NmeaTimeAssembler today(*parse_iso_date("2026-01-01"));
  EXPECT_EQ(time_of(today, "GPRMC,120000.00,A,,,,,,,261126,,,A")->time,
            sys_days{2026y / November / 26} + 12h);
}

TEST(NmeaAdversarial, DatesTheCalendarOrTheWeekCountCannotMeanAreRefused) {
  NmeaTimeAssembler a(*parse_iso_date("2026-01-01"));
  ASSERT_TRUE(time_of(a, "GPRMC,235959.00,A,,,,,,,301126,,,A"));
  // 31 November: refused, and the sentences after it are not dated by the 30th either.
  EXPECT_FALSE(time_of(a, "GPRMC,000000.00,A,,,,,,,311126,,,A"));
  EXPECT_EQ(a.counters().bad_date, 1u);
  EXPECT_FALSE(time_of(a, "GPGGA,000001.00,,,,,1,08,0.9,,M,,M,,"));
  // ZDA years far beyond the base: 1024 weeks or more after it, refused (no overflow into 1679).
  for (const char* body : {"GPZDA,120000.00,07,05,2263,00,00", "GPZDA,120000.00,23,02,9999,00,00",
                           "GPZDA,120000.00,01,01,2046,00,00"}) {
    EXPECT_FALSE(time_of(a, body)) << body;
  }
  EXPECT_EQ(a.counters().out_of_range, 3u);
  EXPECT_TRUE(time_of(a, "GPZDA,120000.00,01,01,2045,00,00"));  // within 1024 weeks
}

TEST(NmeaAdversarial, ADateJustBeforeTheBaseIsNotMovedTwentyYearsOnItsWordAlone) {
  // The base is 6 December 2026; the receiver says 26 November 2026, ten days before it. Moved
  // 1024 weeks forward that is July 2046: refused while nothing is known of the time.
  NmeaTimeAssembler a(*parse_iso_date("2026-12-06"));
  EXPECT_FALSE(time_of(a, "GPRMC,120000.00,A,,,,,,,261126,,,A"));
  EXPECT_EQ(a.counters().near_base_refused, 1u);
  EXPECT_EQ(a.counters().rollover_corrected, 0u);
  // The clock (set by the network) says it is late November 2026: the date is right as it is.
  std::optional<UtcTime> known = UtcTime{sys_days{2026y / November / 26} + 11h};
  a.know_time_by([&] { return known; });
  const auto as_is = time_of(a, "GPRMC,120001.00,A,,,,,,,261126,,,A");
  ASSERT_TRUE(as_is);
  EXPECT_EQ(as_is->time, UtcTime{sys_days{2026y / November / 26} + 12h + 1s});
  EXPECT_EQ(as_is->rollover_periods, 0);
  // The last known time is in 2046 (a receiver with the bug, twenty years on): corrected.
  known = UtcTime{sys_days{2046y / July / 1}};
  const auto moved = time_of(a, "GPRMC,120002.00,A,,,,,,,261126,,,A");
  ASSERT_TRUE(moved);
  EXPECT_EQ(moved->rollover_periods, 1);
  EXPECT_EQ(moved->time, UtcTime{sys_days{2026y / November / 26} + days{7168} + 12h + 2s});
  // A date far before the base (the 2019 bug's 1999) is corrected without asking.
  known.reset();
  const auto old_bug = time_of(a, "GPRMC,120003.00,A,,,,,,,050807,,,A");
  ASSERT_TRUE(old_bug);
  EXPECT_EQ(old_bug->rollover_periods, 1);
}

TEST(NmeaAdversarial, AGarbledHourDoesNotMoveTheDate) {
  NmeaTimeAssembler a(*parse_iso_date("2026-01-01"));
  ASSERT_TRUE(time_of(a, "GPRMC,233000.00,A,,,,,,,261126,,,A"));
  // Hour 10 straight after 23 (a GGA-only cycle): the same day, not the next.
  EXPECT_EQ(time_of(a, "GPGGA,103001.00,,,,,1,08,0.9,,M,,M,,")->time,
            sys_days{2026y / November / 26} + 10h + 30min + 1s);
  EXPECT_EQ(time_of(a, "GPGGA,233002.00,,,,,1,08,0.9,,M,,M,,")->time,
            sys_days{2026y / November / 26} + 23h + 30min + 2s);
  // Midnight itself still turns the date.
  EXPECT_EQ(time_of(a, "GPGGA,000000.00,,,,,1,08,0.9,,M,,M,,")->time,
            sys_days{2026y / November / 27});
}

}  // namespace
}  // namespace stratumd
