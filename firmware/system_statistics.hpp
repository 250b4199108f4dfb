// ntpq's sysstats and kerninfo from what the daemon counts and what the kernel reports.
#pragma once

#include "drivers/net/ntp_worker.hpp"
#include "firmware/control/control_variables.hpp"

namespace stratumd {

SystemStatistics collect_system_statistics(const ServerCounters& served, Nanoseconds uptime);

}  // namespace stratumd
