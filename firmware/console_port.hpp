// Whether a serial port may carry the operator's console (stratumctl-console@.service): never the
// port a reference clock of the configuration reads, nor one another program (gpsd) holds open. A
// USB GPS can take the name a board profile gives its console adapter (ttyUSB0): the console unit
// asks this first (`stratumd --check-console-port`), so agetty never writes into a receiver.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "firmware/config/ntp_conf_parser.hpp"

namespace stratumd {

struct PortLookup {
  // The file a path names once symlinks (/dev/gps0, /dev/serial/by-id/…) are followed.
  std::function<std::string(const std::string&)> resolve;
  // The process (e.g. "gpsd (pid 412)") that has the resolved device open, if any.
  std::function<std::optional<std::string>(const std::string&)> held_by;
};

// Why `device` may not carry the console, or nullopt when it may.
std::optional<std::string> console_port_conflict(const DaemonConfig& config,
                                                 const std::string& device,
                                                 const PortLookup& lookup);

// The host's: realpath, and a scan of /proc/*/fd.
PortLookup host_port_lookup();

}  // namespace stratumd
