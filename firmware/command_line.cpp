#include "firmware/command_line.hpp"

#include <filesystem>

#include "drivers/os/privileges.hpp"

#include <boost/program_options.hpp>
#include <sstream>

namespace stratumd {

namespace po = boost::program_options;

CommandLineResult parse_command_line(int argc, const char* const argv[]) {
  po::options_description visible(
      "Usage: stratumd [options]\n"
      "GPS/PPS-disciplined stratum-1 NTP server.\n\nOptions");
  int port = 123;
  int threads = 0;
  int filter_level = 0;
  std::string io = "epoll";
  auto add = visible.add_options();
  add("help,h", "show this help and exit");
  add("version", "print the version and exit");
  add("config,c", po::value<std::string>(),
      "ntp.conf-syntax configuration file (default: /etc/stratumd/ntp.conf, else /etc/ntp.conf, "
      "else none: no time source, served unsynchronised)");
  add("foreground,n", "stay in the foreground (do not daemonise)");
  add("no-clock-steering,x", "never touch the system clock; serve the in-process virtual clock");
  add("panicgate,g", "allow the first clock correction to exceed the panic threshold (ntpd -g)");
  add("simulate", "use the built-in simulated GPS+PPS receiver");
  add("user,u", po::value<std::string>(),
      "user[:group] to run as once the port, devices and sockets are open (ntpd's -u); only "
      "CAP_SYS_TIME is kept, and only when steering the system clock");
  add("filter,F", po::value<int>(&filter_level),
      "system call filter (seccomp) once started: 0 off (default), 1 on; a call outside the "
      "daemon's list ends it with a message naming the call");
  add("pidfile,p", po::value<std::string>(), "write the daemon's process ID to FILE (ntpd's -p)");
  add("check-config", "parse and validate the configuration, print every finding, exit 0/1");
  add("check-console-port", po::value<std::string>(),
      "exit 0 if DEVICE may carry the console (no reference clock of the configuration reads it, "
      "no program holds it open), else 1 saying why");
  add("port", po::value<int>(&port), "UDP port to serve (default 123)");
  add("threads", po::value<int>(&threads), "NTP server worker threads (default: one per core)");
  add("io", po::value<std::string>(&io),
      "epoll (default): batched server workers; poll: plain poll/recvmsg, one server thread");
  add("quiet",
      "do not print the once-a-second status line (never printed when standard output is "
      "systemd's journal)");
  add("console-socket", po::value<std::string>(),
      "Unix socket for stratumctl (default /run/stratumd/console.sock; a relative path is from the "
      "starting directory; 'none': no console)");
  add("replay", po::value<std::string>(),
      "replay a captured NMEA log (gpsd .log format) as the receiver; serves the log's time");
  add("replay-speed", po::value<double>(), "cycles per second for --replay (default 1)");

  CommandLineResult result;
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(visible).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    result.exit_code = 2;
    result.output = std::string("stratumd: ") + e.what() + "\nTry 'stratumd --help'.\n";
    return result;
  }
  if (vm.count("help")) {
    std::ostringstream text;
    text << visible;
    result.output = text.str();
    return result;
  }
  if (vm.count("version")) {
    result.output = std::string("stratumd ") + STRATUMD_VERSION + "\n";
    return result;
  }
  if (port < 1 || port > 65535) {
    result.exit_code = 2;
    result.output =
        "stratumd: --port must be between 1 and 65535, not " + std::to_string(port) + "\n";
    return result;
  }
  if (vm.count("threads") && (threads < 1 || threads > 64)) {
    result.exit_code = 2;
    result.output =
        "stratumd: --threads must be between 1 and 64, not " + std::to_string(threads) + "\n";
    return result;
  }
  if (filter_level != 0 && filter_level != 1) {
    result.exit_code = 2;
    result.output = "stratumd: -F takes 0 (no filter) or 1 (filter), not " +
                    std::to_string(filter_level) + "\n";
    return result;
  }
  Options options;
  options.syscall_filter = filter_level ? SyscallFilterLevel::enforce : SyscallFilterLevel::off;
  if (vm.count("threads")) options.threads = threads;
  if (vm.count("replay")) options.replay_file = vm["replay"].as<std::string>();
  if (vm.count("replay-speed")) {
    options.replay_speed = vm["replay-speed"].as<double>();
    if (!(options.replay_speed > 0 && options.replay_speed <= 1000)) {
      result.exit_code = 2;
      result.output = "stratumd: --replay-speed must be above 0 and at most 1000\n";
      return result;
    }
  }
  if (io == "epoll") {
    options.io = IoBackend::epoll;
  } else if (io == "poll") {
    options.io = IoBackend::poll;
  } else {
    result.exit_code = 2;
    result.output = "stratumd: --io must be 'epoll' or 'poll', not '" + io + "'\n";
    return result;
  }
  if (vm.count("pidfile")) options.pidfile = vm["pidfile"].as<std::string>();
  if (vm.count("config")) options.config_file = vm["config"].as<std::string>();
  options.foreground = vm.count("foreground") > 0;
  options.no_clock_steering = vm.count("no-clock-steering") > 0;
  options.allow_big_first_step = vm.count("panicgate") > 0;
  options.simulate = vm.count("simulate") > 0;
  options.check_config = vm.count("check-config") > 0;
  if (vm.count("check-console-port"))
    options.check_console_port = vm["check-console-port"].as<std::string>();
  options.quiet_status = vm.count("quiet") > 0;
  if (vm.count("user")) {
    options.run_as = vm["user"].as<std::string>();
    if (!parse_run_as(*options.run_as)) {
      return {std::nullopt, 2, "stratumd: -u takes user or user:group\n"};
    }
  }
  if (vm.count("console-socket")) {
    const std::string path = vm["console-socket"].as<std::string>();
    // A relative name is taken from the directory stratumd was started in, as any path on the
    // command line, and made absolute now: the socket is made again later (a cleaned /run).
    options.console_socket = path == "none"
                                 ? std::string()
                                 : std::filesystem::absolute(path).lexically_normal().string();
  }
  options.port = static_cast<std::uint16_t>(port);
  result.options = options;
  return result;
}

std::optional<std::string> find_default_config(
    const std::function<bool(const std::string&)>& exists) {
  for (const char* path : kDefaultConfigFiles) {
    if (exists(path)) return std::string(path);
  }
  return std::nullopt;
}

}  // namespace stratumd
