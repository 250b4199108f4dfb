// Daemon life cycle: configuration, wiring of sources -> refclock -> discipline -> clock ->
// server, the main event loop and shutdown.
#pragma once

#include "firmware/command_line.hpp"

namespace stratumd {

int run_daemon(const Options& options);

}  // namespace stratumd
