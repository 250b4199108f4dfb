// The status LED: a pattern per state that an operator can tell apart, played on a fake LED-class
// directory by the event loop, its trigger taken and given back.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "drivers/os/status_led.hpp"
#include "drivers/os/text_file.hpp"
#include "firmware/config/ntp_conf_parser.hpp"
#include "firmware/control/led_pattern.hpp"

namespace stratumd {
namespace {

using namespace std::chrono_literals;

TEST(LedPattern, EveryStateHasItsOwnPatternAndOnlyLockedIsSteady) {
  std::set<std::string> seen;
  for (LedState s : {LedState::fault, LedState::unsynchronised, LedState::locking, LedState::locked,
                     LedState::holdover}) {
    const LedPattern p = led_pattern(s);
    ASSERT_GE(p.count, 1u);
    EXPECT_EQ(p.count == 1, s == LedState::locked) << to_string(s);
    std::string key;
    for (std::size_t i = 0; i < p.count; ++i) key += std::to_string(p.steps[i].count()) + ",";
    EXPECT_TRUE(seen.insert(key).second) << to_string(s) << " looks like another state";
  }
}

TEST(LedPattern, TheStateFollowsTheDisciplineAndAFaultShowsUntilItLocks) {
  EXPECT_EQ(led_state(SyncState::locked, true), LedState::locked);
  EXPECT_EQ(led_state(SyncState::holdover, true), LedState::holdover);
  EXPECT_EQ(led_state(SyncState::locking, false), LedState::locking);
  EXPECT_EQ(led_state(SyncState::locking, true), LedState::fault);
  EXPECT_EQ(led_state(SyncState::unsynchronised, false), LedState::unsynchronised);
  EXPECT_EQ(led_state(SyncState::unsynchronised, true), LedState::fault);
}

class StatusLedTest : public ::testing::Test {
 protected:
  StatusLedTest() {
    char name[] = "/tmp/stratumd-led-XXXXXX";
    dir = ::mkdtemp(name);
    write("trigger", "none timer heartbeat [mmc0] default-on\n");
    write("brightness", "0\n");
    write("max_brightness", "255\n");
  }
  ~StatusLedTest() override { std::filesystem::remove_all(dir); }
  void write(const std::string& file, const std::string& text) {
    std::ofstream(dir + "/" + file) << text;
  }
  std::string read(const std::string& file) { return read_text_file(dir + "/" + file).value(); }
  // Runs the loop until `at` from now: timers due before it run first, in order.
  void run_for(std::chrono::milliseconds at) {
    loop.call_after(at, [this] { loop.stop(); });
    loop.run();
  }

  std::string dir;
  EventLoop loop{IoBackend::poll};
  std::vector<std::string> log;
};

TEST_F(StatusLedTest, TakesTheTriggerPlaysThePatternAndGivesTheTriggerBack) {
  {
    StatusLed led(loop, dir, [this](const std::string& l) { log.push_back(l); });
    EXPECT_EQ(read("trigger"), "none");
    led.show(led_pattern(LedState::locking));  // 500 ms on, 500 ms off
    EXPECT_EQ(read("brightness"), "255");
    run_for(750ms);
    EXPECT_EQ(read("brightness"), "0");
    run_for(500ms);
    EXPECT_EQ(read("brightness"), "255");
    led.show(led_pattern(LedState::locked));
    run_for(1200ms);
    EXPECT_EQ(read("brightness"), "255");  // steady: no timer turns it off
  }
  EXPECT_EQ(read("trigger"), "mmc0");
  EXPECT_EQ(read("brightness"), "0");
  EXPECT_TRUE(log.empty());
}

TEST_F(StatusLedTest, ShowingTheSamePatternAgainDoesNotRestartIt) {
  StatusLed led(loop, dir, [](const std::string&) {});
  led.show(led_pattern(LedState::unsynchronised));  // 100 ms on, 1900 off
  run_for(300ms);
  EXPECT_EQ(read("brightness"), "0");
  led.show(led_pattern(LedState::unsynchronised));  // each tick says so again
  EXPECT_EQ(read("brightness"), "0");
}

TEST_F(StatusLedTest, AMissingLedOrOneThatCannotBeWrittenIsAClearError) {
  EXPECT_THROW(
      {
        try {
          StatusLed led(loop, dir + "/nothing", [](const std::string&) {});
        } catch (const std::runtime_error& e) {
          EXPECT_NE(std::string(e.what()).find("no LED at"), std::string::npos) << e.what();
          throw;
        }
      },
      std::runtime_error);
  if (::geteuid() == 0) return;  // root writes anything
  std::filesystem::permissions(dir + "/brightness", std::filesystem::perms::owner_read);
  EXPECT_THROW(StatusLed(loop, dir, [](const std::string&) {}), std::runtime_error);
}

TEST(StatusLedConfig, StatusledTakesOneNameOrNone) {
  const auto parse = [](const std::string& text) {
    return parse_ntp_conf("/etc/ntp.conf",
                          [&](const std::string&) -> std::optional<std::string> { return text; });
  };
  EXPECT_EQ(parse("statusled ACT\n").status_led, "ACT");
  EXPECT_EQ(parse("statusled none\n").status_led, "none");
  for (const char* bad : {"statusled\n", "statusled ../../etc\n", "statusled a b\n"}) {
    const DaemonConfig config = parse(bad);
    EXPECT_TRUE(config.has_errors()) << bad;
    EXPECT_FALSE(config.status_led.has_value()) << bad;
  }
}

}  // namespace
}  // namespace stratumd
