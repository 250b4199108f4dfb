// What --check-config can see of this host beyond the file itself: receivers' devices that are
// not there, directories the daemon could not write to, files it could not read. Mostly
// warnings (a USB receiver may be plugged in later, a package may make the directories at
// install); an error only where the daemon would refuse to start (a logfile it cannot open). The
// daemon prints the same findings when it starts, so the two never disagree.
#pragma once

#include <string>
#include <vector>

#include "firmware/config/ntp_conf_parser.hpp"

namespace stratumd {

struct HostFinding {
  bool error = false;
  std::string text;  // "file:line: warning: …", or "file: warning: …" where no line is kept
};
// `receivers` false: the directories and files only (the simulated receiver or a replay stands
// in for the configured reference clocks).
std::vector<HostFinding> host_findings(const DaemonConfig& config, const std::string& config_name,
                                       bool receivers = true);

}  // namespace stratumd
