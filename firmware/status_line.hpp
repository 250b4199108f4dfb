// The once-a-second status line `stratumd -n` prints to standard output (scripts/run shows it).
#pragma once

#include <string>

#include "drivers/net/ntp_worker.hpp"
#include "firmware/discipline/clock_discipline.hpp"

namespace stratumd {

void print_status_line(const LoopStatus& loop, const ServerCounters& served,
                       const std::string& extra);

}  // namespace stratumd
