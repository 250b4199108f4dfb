#include "firmware/start_plan.hpp"

#include <algorithm>

namespace stratumd {
namespace {

bool has_network_source(const DaemonConfig& config) {
  return std::any_of(config.associations.begin(), config.associations.end(),
                     [](const AssociationLine& a) {
                       using Kind = AssociationLine::Kind;
                       return a.kind == Kind::server || a.kind == Kind::pool ||
                              a.kind == Kind::peer || a.kind == Kind::broadcastclient ||
                              a.kind == Kind::multicastclient || a.kind == Kind::manycastclient;
                     });
}

// ntpd's flag3 on a PPS clock (or an NMEA clock's own PPS).
bool flag3_asked(const DaemonConfig& config) {
  return std::any_of(
      config.refclocks.begin(), config.refclocks.end(), [](const RefclockDeclaration& r) {
        return r.options.flag(3) && (r.type == refclock_type::pps ||
                                     (r.type == refclock_type::nmea && r.options.flag(1)));
      });
}

}  // namespace

StartPlan plan_start(const Options& options, const DaemonConfig& config,
                     const std::function<bool()>& can_steer, unsigned cores,
                     const std::string& build_date) {
  StartPlan plan;
  plan.simulate = options.simulate;
  plan.replay = options.replay_file.has_value();
  const bool receivers = !plan.simulate && !plan.replay;
  plan.has_reference_clock = !config.refclocks.empty() || !receivers;
  plan.no_time_source = config.refclocks.empty() && !has_network_source(config) && receivers;
  plan.allow_first_panic_step = options.allow_big_first_step || plan.replay;
  plan.plain_io = options.io == IoBackend::poll;
  plan.threads = plan.plain_io ? 1
                               : options.threads.value_or(config.threads.value_or(
                                     static_cast<int>(std::max(1u, cores))));
  plan.base_date = config.tos_basedate.value_or(plan.replay ? "1999-08-22" : build_date);
  plan.kernel_pps_by_flag3 = flag3_asked(config);
  plan.kernel_pps_wanted = config.discipline.kernel_discipline || plan.kernel_pps_by_flag3;

  if (plan.simulate && !config.refclocks.empty())
    plan.notes.push_back("--simulate: the configured reference clocks are not used");
  if (!options.no_clock_steering && !receivers) {
    plan.notes.push_back(
        "note: a simulated or replayed receiver never steers the system clock; serving the "
        "in-process virtual clock (as with -x)");
  }
  if (options.no_clock_steering && receivers) {
    // ntpd's -x means "slew only": an ntpd unit's `-g -x` carried over would silently stop the
    // discipline of the system clock.
    plan.notes.push_back(
        "note: -x: the system clock is never touched (chronyd's -x); ntpd's -x meant slew only, "
        "which is `tinker step 0` here");
  }
  plan.steer_system_clock = !options.no_clock_steering && receivers;
  if (plan.steer_system_clock && !can_steer()) {
    plan.notes.push_back(
        "note: no permission to steer the system clock (CAP_SYS_TIME); serving the in-process "
        "virtual clock (as with -x)");
    plan.steer_system_clock = false;
  }
  return plan;
}

std::string no_time_source_warning(const DaemonConfig& config) {
  // The reference clocks of many setups live in an include file: one that cannot be read is
  // then the likely reason. Still a warning, as ntpd skips the file: the daemon starts and serves
  // unsynchronised (LI 3), which is wrong for nobody.
  return std::string("warning: no reference clock and no network source") +
         (config.unreadable_includes.empty()
              ? ""
              : " (an includefile that cannot be read may have declared them)") +
         ": the daemon serves unsynchronised (LI 3) until one is configured (--simulate runs the "
         "built-in simulated receiver)";
}

CheckReport check_config_report(const std::string& config_name, const DaemonConfig& config,
                                std::size_t host_errors, std::size_t host_warnings,
                                const StartPlan& plan) {
  std::size_t config_errors = 0;
  for (const ConfigFinding& f : config.findings) config_errors += f.severity == Severity::error;
  std::size_t errors = host_errors + config_errors;
  std::size_t warnings = host_warnings + config.findings.size() - config_errors;
  CheckReport report;
  if (plan.no_time_source) {
    report.text += config_name + ": " + no_time_source_warning(config) + "\n";
    warnings += 1;
  }
  report.text += config_name + ": " + std::to_string(errors) + " error(s), " +
                 std::to_string(warnings) + " warning(s), " +
                 std::to_string(config.refclocks.size()) + " reference clock(s)\n";
  report.exit_status = errors > 0 ? 1 : 0;
  return report;
}

}  // namespace stratumd
