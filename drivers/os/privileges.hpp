// Least privilege: once everything that needs root is open (port 123, devices, the console
// socket, shared memory), the daemon becomes an ordinary account (ntpd's `-u user[:group]`) and
// keeps only CAP_SYS_TIME, and only when it steers the system clock. Files it writes later (drift,
// statistics, logs) must then be writable by that account (systemd's StateDirectory does it).
#pragma once

#include <optional>
#include <string>

namespace stratumd {

struct RunAs {
  std::string user;
  std::optional<std::string> group;  // default: the user's primary group
};

// "user" or "user:group"; nullopt when malformed (empty parts).
std::optional<RunAs> parse_run_as(const std::string& spec);

// The daemon never executes another program: none it could be tricked into running may gain
// privileges (set-user-ID, file capabilities). Inherited by the threads started after it.
void forbid_new_privileges();

// Switches to the account (its supplementary groups too: `dialout` for a serial receiver that
// is reopened after an unplug) and drops every capability but CAP_SYS_TIME when
// `keep_clock_control`. Applies to every thread. Throws std::runtime_error saying what failed.
void drop_privileges(const RunAs& who, bool keep_clock_control);

}  // namespace stratumd
