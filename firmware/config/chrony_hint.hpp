// An operator coming from chrony may hand stratumd a chrony.conf. Rather than one "unknown
// directive" per line, its lines are recognised and the configuration is refused once, with the
// ntp.conf line that does the same job where there is one.
#pragma once

#include <string>
#include <vector>

namespace stratumd {

// A line only chrony's syntax has (makestep, allow, `refclock SHM 0`, …).
bool is_chrony_line(const std::vector<std::string>& words);

// What to write in ntp.conf instead ("server 127.127.28.0", "fudge …"): lines that paste as they
// are, with why nothing is needed, or what else to do, as ntp.conf comments.
std::vector<std::string> ntp_conf_equivalent(const std::vector<std::string>& words);

}  // namespace stratumd
