// What the command line and the configuration decide before anything is opened: which clock is
// served and steered, whether the simulator runs, how many workers serve, the GPS week base, and
// what the operator is told about it. Pure, so start-up and `--check-config` cannot disagree.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "firmware/command_line.hpp"
#include "firmware/config/ntp_conf_parser.hpp"

namespace stratumd {

struct StartPlan {
  bool simulate = false;  // the built-in simulated receiver (--simulate)
  bool replay = false;    // a captured NMEA log (--replay)
  bool has_reference_clock = false;
  // Nothing to serve from: no reference clock, no network source, no simulator.
  bool no_time_source = false;
  // The system clock is steered (else a virtual clock is served): only for real receivers, when
  // allowed (no -x) and permitted (CAP_SYS_TIME).
  bool steer_system_clock = false;
  // -g, or a replayed log (served at its own date, however far from now).
  bool allow_first_panic_step = false;
  bool plain_io = false;  // --io poll: one thread, for the clock-and-network simulator
  int threads = 1;
  // The GPS week rollover base: `tos basedate`, else the build date (as ntpd); a replayed log
  // keeps its own dates (only the 1999 rollover is undone).
  std::string base_date;
  // The kernel's PPS loop is asked for: `enable kernel`, or ntpd's flag3 on a PPS clock.
  bool kernel_pps_wanted = false;
  bool kernel_pps_by_flag3 = false;
  std::vector<std::string> notes;  // for standard error, in order, before anything opens
};

// `can_steer`: whether the process may set the system clock, asked only when it would steer (the
// probe itself adjusts the clock); `cores`: the workers' default count.
StartPlan plan_start(const Options& options, const DaemonConfig& config,
                     const std::function<bool()>& can_steer, unsigned cores,
                     const std::string& build_date);

// --check-config's closing lines and exit status: the configuration's findings, what the host
// showed (`host_errors`, `host_warnings`) and whether anything would be served.
struct CheckReport {
  std::string text;
  int exit_status = 0;
};
// The same words from --check-config and the daemon at start when nothing would be served.
std::string no_time_source_warning(const DaemonConfig& config);

CheckReport check_config_report(const std::string& config_name, const DaemonConfig& config,
                                std::size_t host_errors, std::size_t host_warnings,
                                const StartPlan& plan);

}  // namespace stratumd
