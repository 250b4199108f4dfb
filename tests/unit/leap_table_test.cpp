#include "firmware/discipline/leap_table.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace stratumd {
namespace {

using namespace std::chrono;

UtcTime at(year_month_day date, seconds time_of_day = seconds{0}) {
  return UtcTime{sys_days{date} + time_of_day};
}

std::string system_leap_file() {
  std::ifstream in("/usr/share/zoneinfo/leap-seconds.list");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(LeapTable, TheSystemFileLoadsWithItsHashVerified) {
  const std::string text = system_leap_file();
  ASSERT_FALSE(text.empty()) << "tzdata's leap-seconds.list is missing";
  const LeapTableParse parse = parse_leap_seconds_list(text, at(2017y / 1 / 2));
  ASSERT_TRUE(parse.table) << (parse.errors.empty() ? "" : parse.errors[0]);
  EXPECT_TRUE(parse.errors.empty());
  EXPECT_TRUE(parse.table->hash_checked);
  EXPECT_GE(parse.table->entries.size(), 28u);
  EXPECT_EQ(parse.table->entries.front().tai_offset, 10);
  EXPECT_EQ(parse.table->entries.front().unix_seconds, 63072000);  // 1972-01-01
  // 2016-12-31 23:59:60 was the last leap: TAI-UTC 37 from 2017-01-01.
  const LeapEntry& last = parse.table->entries.back();
  EXPECT_EQ(last.tai_offset, 37);
  EXPECT_EQ(UtcTime{seconds{last.unix_seconds}}, at(2017y / 1 / 1));
  EXPECT_GT(parse.table->expires, last.unix_seconds);
}

TEST(LeapTable, AnEditedFileIsRefusedByItsHash) {
  std::string text = system_leap_file();
  // The last entry's TAI offset, 37, becomes 38.
  const std::size_t entry = text.find("37", text.find("\n3692217600"));
  ASSERT_NE(entry, std::string::npos);
  text.replace(entry, 2, "38");
  const LeapTableParse parse = parse_leap_seconds_list(text, at(2017y / 1 / 2));
  EXPECT_FALSE(parse.table);
  ASSERT_FALSE(parse.errors.empty());
  EXPECT_NE(parse.errors.back().find("hash does not match"), std::string::npos);
}

TEST(LeapTable, AnExpiredFileIsTakenWithAWarning) {
  const std::string text = system_leap_file();
  const LeapTableParse parse = parse_leap_seconds_list(text, at(2099y / 1 / 1));
  ASSERT_TRUE(parse.table);
  ASSERT_EQ(parse.warnings.size(), 1u);
  EXPECT_NE(parse.warnings[0].find("expired on 20"), std::string::npos) << parse.warnings[0];
  EXPECT_TRUE(parse.table->expired_at(at(2099y / 1 / 1)));
}

TEST(LeapTable, MalformedLinesNameTheirLine) {
  const LeapTableParse parse =
      parse_leap_seconds_list("#@ 4000000000\n2272060800 10\nnot a leap\n2287785600\n", UtcTime{});
  EXPECT_FALSE(parse.table);
  ASSERT_EQ(parse.errors.size(), 2u);
  EXPECT_EQ(parse.errors[0], "line 3: 'not a leap' is not 'NTP-SECONDS TAI-OFFSET [# comment]'");
  EXPECT_EQ(parse.errors[1].rfind("line 4:", 0), 0u);
  EXPECT_FALSE(parse_leap_seconds_list("", UtcTime{}).table);
  EXPECT_FALSE(parse_leap_seconds_list("#h 1 2 3\n", UtcTime{}).table);
  const LeapTableParse unordered =
      parse_leap_seconds_list("#@ 4000000000\n2287785600 11\n2272060800 10\n", UtcTime{});
  EXPECT_FALSE(unordered.table);
}

// Numbers a list may carry but no real one does: refused with their line, never wrapped round
// (an expiry of 9e18 s or an entry centuries ahead overflowed the nanosecond times).
TEST(LeapTable, OutOfRangeNumbersAreRefusedNotOverflowed) {
  for (const char* text : {"#@ 9223372036854775807\n2272060800 10\n", "#@ -1\n2272060800 10\n",
                           "#@ 4000000000\n2272060800 10\n9000000000000000000 11\n",
                           "#@ 4000000000\n2272060800 -5\n", "#@ 4000000000\n2272060800 99999\n"}) {
    const LeapTableParse parse = parse_leap_seconds_list(text, UtcTime{});
    EXPECT_FALSE(parse.table) << text;
    ASSERT_FALSE(parse.errors.empty()) << text;
    EXPECT_NE(parse.errors[0].find("range"), std::string::npos) << parse.errors[0];
  }
}

TEST(LeapTable, NextLeapComesFromTheTable) {
  const LeapTableParse parse = parse_leap_seconds_list(system_leap_file(), UtcTime{});
  ASSERT_TRUE(parse.table);
  const auto next = next_leap_from_table(*parse.table, at(2016y / 12 / 31, hours{12}));
  ASSERT_TRUE(next);
  EXPECT_EQ(next->at, at(2017y / 1 / 1));
  EXPECT_EQ(next->direction, 1);
  EXPECT_FALSE(next_leap_from_table(*parse.table, at(2017y / 1 / 1, seconds{1})));
  const auto earlier = next_leap_from_table(*parse.table, at(2015y / 6 / 1));
  ASSERT_TRUE(earlier);
  EXPECT_EQ(earlier->at, at(2015y / 7 / 1));
}

TEST(LeapTable, AReceiverWarningMeansTheEndOfTheMonth) {
  const auto insert =
      leap_from_warning(LeapIndicator::insert_second, at(2016y / 12 / 31, hours{3}));
  ASSERT_TRUE(insert);
  EXPECT_EQ(insert->at, at(2017y / 1 / 1));
  const auto remove = leap_from_warning(LeapIndicator::delete_second, at(2030y / 6 / 10));
  ASSERT_TRUE(remove);
  EXPECT_EQ(remove->at, at(2030y / 7 / 1) - seconds{1});
  EXPECT_EQ(remove->direction, -1);
  EXPECT_FALSE(leap_from_warning(LeapIndicator::none, at(2030y / 6 / 10)));
  EXPECT_FALSE(leap_from_warning(LeapIndicator::unsynchronised, at(2030y / 6 / 10)));
}

}  // namespace
}  // namespace stratumd
