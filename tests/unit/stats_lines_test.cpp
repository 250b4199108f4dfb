#include "firmware/discipline/stats_lines.hpp"

#include <gtest/gtest.h>

namespace stratumd {
namespace {

using namespace std::chrono;

TEST(StatsLines, ModifiedJulianDay) {
  EXPECT_EQ(modified_julian(UtcTime{}).day, 40587);
  EXPECT_EQ(modified_julian(UtcTime{sys_days{2000y / January / 1}}).day, 51544);
  const ModifiedJulianTime m =
      modified_julian(UtcTime{sys_days{2026y / November / 25} + 20h + 57min + 20500ms});
  EXPECT_EQ(m.day, 61369);
  EXPECT_DOUBLE_EQ(m.seconds, 75440.5);
}

TEST(StatsLines, LoopstatsInNtpdsFormat) {
  const UtcTime t{sys_days{1998y / March / 3} + 20h + 57min + 20031ms};  // MJD 50875
  EXPECT_EQ(loopstats_line(t, 0.000006019, 13.778190, 0.000351733, 0.013380, 6),
            "50875 75440.031 0.000006019 13.778 0.000351733 0.013380 6\n");
}

TEST(StatsLines, PeerstatsInNtpdsFormat) {
  const UtcTime t{sys_days{1992y / June / 24} + 3h + 14min + 7650ms};  // MJD 48797
  EXPECT_EQ(peerstats_line(t, "127.127.20.0", 0x9714, -0.001605376, 0.0, 0.001424877, 0.000958674),
            "48797 11647.650 127.127.20.0 9714 -0.001605376 0.000000000 0.001424877 0.000958674\n");
}

TEST(StatsLines, FilegenNames) {
  const UtcTime t{sys_days{2026y / November / 25} + 12h};
  EXPECT_EQ(filegen_file_name("loopstats", FilegenType::day, t), "loopstats.20261125");
  EXPECT_EQ(filegen_file_name("loopstats", FilegenType::month, t), "loopstats.202611");
  EXPECT_EQ(filegen_file_name("loopstats", FilegenType::year, t), "loopstats.2026");
  EXPECT_EQ(filegen_file_name("loopstats", FilegenType::week, t), "loopstats.2026w47");
  EXPECT_EQ(filegen_file_name("loopstats", FilegenType::none, t), "loopstats");
}

}  // namespace
}  // namespace stratumd
