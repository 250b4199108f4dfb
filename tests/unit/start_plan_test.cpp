// What the command line and the configuration decide before anything opens, and what
// --check-config reports about it.
#include "firmware/start_plan.hpp"

#include <gtest/gtest.h>

namespace stratumd {
namespace {

DaemonConfig parse(const std::string& text) {
  return parse_ntp_conf("/etc/ntp.conf",
                        [&](const std::string&) -> std::optional<std::string> { return text; });
}

const std::function<bool()> kMaySteer = [] { return true; };
const std::function<bool()> kMayNotSteer = [] { return false; };

bool has_note(const StartPlan& plan, const std::string& part) {
  for (const std::string& note : plan.notes) {
    if (note.find(part) != std::string::npos) return true;
  }
  return false;
}

TEST(StartPlan, ARealReceiverSteersTheSystemClockWhenPermitted) {
  const DaemonConfig config = parse("server 127.127.20.0 mode 1\n");
  const StartPlan plan = plan_start(Options{}, config, kMaySteer, 4, "2026-01-01");
  EXPECT_TRUE(plan.steer_system_clock);
  EXPECT_TRUE(plan.has_reference_clock);
  EXPECT_FALSE(plan.no_time_source);
  EXPECT_TRUE(plan.notes.empty());
  EXPECT_EQ(plan.base_date, "2026-01-01");
  EXPECT_EQ(plan.threads, 4);
}

TEST(StartPlan, WithoutPermissionTheVirtualClockIsServedAndTheOperatorIsTold) {
  const StartPlan plan =
      plan_start(Options{}, parse("server 127.127.20.0\n"), kMayNotSteer, 2, "2026-01-01");
  EXPECT_FALSE(plan.steer_system_clock);
  EXPECT_TRUE(has_note(plan, "CAP_SYS_TIME"));
}

TEST(StartPlan, TheSimulatorAndAReplayNeverSteerAndNeverAskForPermission) {
  bool asked = false;
  const std::function<bool()> ask = [&] { return asked = true; };
  Options simulate;
  simulate.simulate = true;
  StartPlan plan = plan_start(simulate, parse("server 127.127.20.0\n"), ask, 2, "2026-01-01");
  EXPECT_FALSE(plan.steer_system_clock);
  EXPECT_TRUE(plan.has_reference_clock);
  EXPECT_TRUE(has_note(plan, "--simulate: the configured reference clocks are not used"));
  Options replay;
  replay.replay_file = "log.nmea";
  plan = plan_start(replay, DaemonConfig{}, ask, 2, "2026-01-01");
  EXPECT_FALSE(plan.steer_system_clock);
  EXPECT_TRUE(plan.allow_first_panic_step);  // a log is served at its own date
  EXPECT_EQ(plan.base_date, "1999-08-22");   // only the 1999 rollover is undone
  EXPECT_FALSE(asked);
}

TEST(StartPlan, MinusXNeverTouchesTheClockAndSaysWhatNtpdsMinusXMeant) {
  Options options;
  options.no_clock_steering = true;
  const StartPlan plan =
      plan_start(options, parse("server 127.127.20.0\n"), kMaySteer, 2, "2026-01-01");
  EXPECT_FALSE(plan.steer_system_clock);
  EXPECT_TRUE(has_note(plan, "tinker step 0"));
}

TEST(StartPlan, WorkersComeFromTheCommandLineThenTheConfigThenTheCores) {
  Options options;
  const DaemonConfig config = parse("server 127.127.20.0\nthreads 3\n");
  EXPECT_EQ(plan_start(options, config, kMaySteer, 8, "2026-01-01").threads, 3);
  options.threads = 5;
  EXPECT_EQ(plan_start(options, config, kMaySteer, 8, "2026-01-01").threads, 5);
  options.io = IoBackend::poll;  // the simulator's mode: one thread
  const StartPlan plan = plan_start(options, config, kMaySteer, 8, "2026-01-01");
  EXPECT_EQ(plan.threads, 1);
  EXPECT_TRUE(plan.plain_io);
  EXPECT_EQ(plan_start(Options{}, DaemonConfig{}, kMaySteer, 0, "2026-01-01").threads, 1);
}

TEST(StartPlan, TheBaseDateOfTheConfigurationWins) {
  const StartPlan plan =
      plan_start(Options{}, parse("tos basedate 2024-06-01\n"), kMaySteer, 1, "2026-01-01");
  EXPECT_EQ(plan.base_date, "2024-06-01");
}

TEST(StartPlan, KernelPpsIsAskedForByEnableKernelOrFlag3) {
  EXPECT_FALSE(plan_start(Options{}, parse("server 127.127.22.0\n"), kMaySteer, 1, "2026-01-01")
                   .kernel_pps_wanted);
  const StartPlan by_flag3 =
      plan_start(Options{}, parse("server 127.127.22.0\nfudge 127.127.22.0 flag3 1\n"), kMaySteer,
                 1, "2026-01-01");
  EXPECT_TRUE(by_flag3.kernel_pps_wanted);
  EXPECT_TRUE(by_flag3.kernel_pps_by_flag3);
}

TEST(StartPlan, NothingToServeFromIsAWarningNamingAMissingInclude) {
  const DaemonConfig empty = parse("driftfile /var/lib/stratumd/drift\n");
  StartPlan plan = plan_start(Options{}, empty, kMaySteer, 1, "2026-01-01");
  EXPECT_TRUE(plan.no_time_source);
  CheckReport report = check_config_report("/etc/ntp.conf", empty, 0, 0, plan);
  EXPECT_EQ(report.exit_status, 0);
  EXPECT_NE(report.text.find("warning: no reference clock and no network source"),
            std::string::npos);
  EXPECT_NE(report.text.find("0 error(s), 1 warning(s), 0 reference clock(s)"), std::string::npos)
      << report.text;

  DaemonConfig missing = empty;
  missing.unreadable_includes.push_back("/etc/ntp.d/gps.conf");
  report = check_config_report("/etc/ntp.conf", missing, 0, 0, plan);
  EXPECT_EQ(report.exit_status, 0);  // the daemon starts and serves unsynchronised: a warning
  EXPECT_NE(report.text.find("/etc/ntp.conf: " + no_time_source_warning(missing)),
            std::string::npos);
  EXPECT_NE(no_time_source_warning(missing).find("an includefile that cannot be read"),
            std::string::npos);

  // A network source is something to serve from.
  plan = plan_start(Options{}, parse("server 192.0.2.1\n"), kMaySteer, 1, "2026-01-01");
  EXPECT_FALSE(plan.no_time_source);
  EXPECT_FALSE(plan.has_reference_clock);
}

TEST(StartPlan, HostFindingsCountInTheReport) {
  const DaemonConfig config = parse("server 127.127.20.0\n");
  const StartPlan plan = plan_start(Options{}, config, kMaySteer, 1, "2026-01-01");
  const CheckReport report = check_config_report("f", config, 1, 2, plan);
  EXPECT_EQ(report.exit_status, 1);
  EXPECT_NE(report.text.find("1 error(s), 2 warning(s), 1 reference clock(s)"), std::string::npos)
      << report.text;
}

}  // namespace
}  // namespace stratumd
