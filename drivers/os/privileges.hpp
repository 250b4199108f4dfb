// Least privilege: once everything that needs root is open (port 123, devices, the console
// socket, shared memory), the daemon becomes an ordinary account (ntpd's `-u user[:group]`) and
// keeps only CAP_SYS_TIME, and only when it steers the system clock. Files it writes later (drift,
// statistics, logs) must then be writable by that account (systemd's StateDirectory does it).
#pragma once

#include <sys/types.h>

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

struct Account {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
};
// The user (and group) named by -u; throws std::runtime_error when either does not exist.
Account find_account(const RunAs& who);

// Switches to the account (its supplementary groups too: `dialout` for a serial receiver that
// is reopened after an unplug) and drops every capability but CAP_SYS_TIME when
// `keep_clock_control`. Applies to every thread. Throws std::runtime_error saying what failed.
void drop_privileges(const Account& who, bool keep_clock_control);

// Started as an ordinary account with capabilities (systemd's User= with AmbientCapabilities=):
// once the port and devices are open, keeps CAP_SYS_TIME when `keep_clock_control` and nothing
// else. False when there was nothing to drop, or when running as root (root without -u keeps
// what it has, as ntpd).
bool drop_capabilities(bool keep_clock_control);

// Capabilities belong to threads. A thread the daemon starts (workers, resolver, metrics) needs
// none: started by an ordinary account with ambient capabilities it lets go of them all. Under
// root it keeps them, for -u's change of user runs in every thread and needs CAP_SETUID there.
// Never throws (a thread's first call); false when they could not be dropped.
bool shed_thread_capabilities() noexcept;

}  // namespace stratumd
