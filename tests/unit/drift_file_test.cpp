#include "firmware/discipline/drift_file.hpp"

#include <gtest/gtest.h>

namespace stratumd {
namespace {

TEST(DriftFile, ReadsNtpdsFormat) {
  EXPECT_DOUBLE_EQ(*parse_drift_file("-17.523\n").ppm, -17.523);
  EXPECT_DOUBLE_EQ(*parse_drift_file("  4.2  \r\n").ppm, 4.2);
  EXPECT_DOUBLE_EQ(*parse_drift_file("0").ppm, 0.0);
}

TEST(DriftFile, RefusesCorruptOrAbsurdContent) {
  for (const char* bad : {"", "\n", "abc", "12.5ppm", "nan", "inf", "1e9", "-600", "1.0 2.0"}) {
    const DriftRead r = parse_drift_file(bad);
    EXPECT_FALSE(r.ppm) << bad;
    EXPECT_FALSE(r.problem.empty()) << bad;
  }
}

TEST(DriftFile, RoundTrips) {
  EXPECT_EQ(format_drift_file(-17.5234), "-17.523\n");
  EXPECT_DOUBLE_EQ(*parse_drift_file(format_drift_file(12.25)).ppm, 12.25);
}

}  // namespace
}  // namespace stratumd
