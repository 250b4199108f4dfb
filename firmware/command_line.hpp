// The daemon's command line (Boost.Program_options).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "drivers/os/event_loop.hpp"
#include "drivers/os/syscall_filter.hpp"

namespace stratumd {

struct Options {
  std::optional<std::string> config_file;
  bool foreground = false;
  bool no_clock_steering = false;     // -x: serve the virtual clock, never touch the system clock
  bool allow_big_first_step = false;  // -g: the first correction may exceed tinker panic
  bool simulate = false;
  bool check_config = false;
  // --check-console-port DEVICE: may the console go there (console_port.hpp)? Exit 0 or 1.
  std::optional<std::string> check_console_port;
  std::uint16_t port = 123;
  IoBackend io = IoBackend::epoll;
  std::optional<int> threads;  // server workers; default: the config's `threads`, else one per core
  bool quiet_status = false;
  std::optional<std::string> replay_file;  // feed a captured NMEA log instead of a receiver
  double replay_speed = 1.0;
  // The console's Unix socket (stratumctl); empty: no console socket.
  std::string console_socket = "/run/stratumd/console.sock";
  // -u user[:group] (ntpd's): the account to run as once everything privileged is open.
  std::optional<std::string> run_as;
  // -F level (chronyd's): the seccomp system call filter once start-up is over.
  SyscallFilterLevel syscall_filter = SyscallFilterLevel::off;
  // -p FILE (ntpd's): the daemon's process ID while it runs.
  std::optional<std::string> pidfile;
};

struct CommandLineResult {
  std::optional<Options> options;  // empty: exit with `exit_code` after printing `output`
  int exit_code = 0;
  std::string output;
};

CommandLineResult parse_command_line(int argc, const char* const argv[]);

// Without -c: /etc/stratumd/ntp.conf, else /etc/ntp.conf, whichever exists first; nullopt means
// the built-in default.
inline constexpr const char* kDefaultConfigFiles[] = {"/etc/stratumd/ntp.conf", "/etc/ntp.conf"};
std::optional<std::string> find_default_config(
    const std::function<bool(const std::string&)>& exists);

}  // namespace stratumd
