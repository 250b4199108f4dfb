#include "firmware/config/config_reload.hpp"

#include <algorithm>

namespace stratumd {
namespace {

bool same_rule(const InterfaceRule& a, const InterfaceRule& b) {
  return a.action == b.action && a.match == b.match && a.name == b.name &&
         a.prefix.length == b.prefix.length && a.prefix.address == b.prefix.address;
}

}  // namespace

bool same_reference_clocks(const std::vector<RefclockDeclaration>& a,
                           const std::vector<RefclockDeclaration>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const RefclockDeclaration& x, const RefclockDeclaration& y) {
                      return x.type == y.type && x.unit == y.unit && x.options == y.options;
                    });
}

ReloadPlan plan_reload(const DaemonConfig& running, const DaemonConfig& next) {
  ReloadPlan plan;
  plan.reference_clocks_changed = !same_reference_clocks(running.refclocks, next.refclocks);
  if (!std::equal(running.interface_rules.begin(), running.interface_rules.end(),
                  next.interface_rules.begin(), next.interface_rules.end(), same_rule)) {
    plan.needs_restart.push_back("interface/nic rules (the sockets stay as they are)");
  }
  if (running.threads != next.threads) plan.needs_restart.push_back("threads");
  plan.associations = diff_associations(running.associations, next.associations);
  for (const std::string& part : plan.associations.needs_restart)
    plan.needs_restart.push_back(part);
  if (running.logfile != next.logfile) plan.needs_restart.push_back("logfile");
  if (running.metrics_listen != next.metrics_listen ||
      running.metrics_textfile != next.metrics_textfile) {
    plan.needs_restart.push_back("metrics");
  }
  const auto snmp_key = [](const std::optional<SnmpSettings>& s) {
    return s ? std::pair{s->agentx_socket, s->heartbeat_seconds} : std::pair{std::string("-"), 0u};
  };
  if (snmp_key(running.snmp) != snmp_key(next.snmp))
    plan.needs_restart.push_back("snmp (stratumd-snmp reads it when it starts)");
  if (running.tos_basedate != next.tos_basedate) plan.needs_restart.push_back("tos basedate");
  if (running.status_led != next.status_led) plan.needs_restart.push_back("statusled");
  if (running.discipline.kernel_discipline != next.discipline.kernel_discipline) {
    plan.needs_restart.push_back("enable/disable kernel");
  }
  return plan;
}

}  // namespace stratumd
