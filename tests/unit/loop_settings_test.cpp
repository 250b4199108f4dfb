#include "firmware/config/loop_settings.hpp"

#include <gtest/gtest.h>

namespace stratumd {
namespace {

DaemonConfig parse(const std::string& text) {
  return parse_ntp_conf("/etc/ntp.conf",
                        [&](const std::string&) -> std::optional<std::string> { return text; });
}

TEST(LoopSettings, NetworkSourcesAreLostAfterThreePollsOfTheSlowestAssociation) {
  // The slow one first: start-up used to take the last association's maxpoll (6 -> 192 s).
  const DaemonConfig config = parse(
      "server 192.0.2.1 maxpoll 10\n"
      "server 192.0.2.2 maxpoll 6\n");
  EXPECT_EQ(loop_settings(config, false).network_sample_timeout, std::chrono::seconds{3072});
}

TEST(LoopSettings, WithoutAssociationsTheDefaultStands) {
  const DaemonConfig config = parse("server 127.127.20.0\n");
  EXPECT_EQ(loop_settings(config, false).network_sample_timeout,
            DisciplineConfig{}.network_sample_timeout);
}

TEST(LoopSettings, StartAndReloadAgree) {
  // A reload rebuilt the settings from `tinker` alone: -g and the network timeout were lost.
  const DaemonConfig before = parse("server 192.0.2.1 maxpoll 10\n");
  const DaemonConfig after = parse("server 192.0.2.1 maxpoll 10\ntinker stepout 600\n");
  const DisciplineConfig at_start = loop_settings(before, true);
  const DisciplineConfig reloaded = loop_settings(after, true);
  EXPECT_EQ(reloaded.network_sample_timeout, at_start.network_sample_timeout);
  EXPECT_TRUE(reloaded.allow_first_panic_step);
}

}  // namespace
}  // namespace stratumd
