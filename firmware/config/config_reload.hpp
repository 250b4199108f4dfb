// What a configuration reload changes: compares the running configuration with the new one and
// says which parts can be applied in place (access control, rate limits, discipline, leap file,
// statistics, keys, upstream servers and peers), whether the reference clocks must be rebuilt,
// and what only a restart can change (listening addresses, threads, multicast groups). Pure, so
// SIGHUP and the console's `apply` decide the same way and the decision is tested without a daemon.
#pragma once

#include <string>
#include <vector>

#include "firmware/config/association_diff.hpp"
#include "firmware/config/ntp_conf_parser.hpp"

namespace stratumd {

struct ReloadPlan {
  bool reference_clocks_changed = false;
  AssociationDiff associations;            // applied live by the network sources
  std::vector<std::string> needs_restart;  // what was changed but cannot be applied running
};

ReloadPlan plan_reload(const DaemonConfig& running, const DaemonConfig& next);

bool same_reference_clocks(const std::vector<RefclockDeclaration>& a,
                           const std::vector<RefclockDeclaration>& b);

}  // namespace stratumd
