// What a service manager expects of a daemon: a pidfile (ntpd's -p, for SysV scripts and
// monitoring) and systemd's readiness notification (Type=notify: "started" means serving).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace stratumd {

// Sends `state` ("READY=1", "STOPPING=1", "RELOADING=1") to $NOTIFY_SOCKET; nothing when the
// daemon was not started by systemd with Type=notify. Never throws.
void notify_service_manager(std::string_view state);

// systemd's watchdog (WatchdogSec=): how often it wants "WATCHDOG=1", from $WATCHDOG_USEC when
// $WATCHDOG_PID is unset or names this process; none otherwise.
std::optional<std::chrono::microseconds> service_watchdog_interval();

// The daemon's process ID in `path` while it runs (written after the fork, replaced atomically),
// removed at exit when still ours to remove. Throws std::runtime_error when it cannot be written.
class PidFile {
 public:
  explicit PidFile(std::string path);
  ~PidFile();
  PidFile(const PidFile&) = delete;
  PidFile& operator=(const PidFile&) = delete;

 private:
  std::string path_;
};

}  // namespace stratumd
