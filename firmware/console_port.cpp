#include "firmware/console_port.hpp"

#include <dirent.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <fstream>

#include "firmware/config/refclock_config.hpp"

namespace stratumd {

std::optional<std::string> console_port_conflict(const DaemonConfig& config,
                                                 const std::string& device,
                                                 const PortLookup& lookup) {
  const std::string port = lookup.resolve(device);
  for (const RefclockDeclaration& clock : config.refclocks) {
    std::vector<std::string> opened{refclock_device(clock.type, clock.unit, clock.options)};
    if (clock.type == refclock_type::nmea && clock.options.flag(1))
      opened.push_back(nmea_pps_device(clock.unit, clock.options));
    for (const std::string& path : opened) {
      if (path.empty() || path.front() != '/') continue;  // SHM, gpsd's HOST:PORT
      if (lookup.resolve(path) == port) {
        return device + " is " + path + ", the port of the reference clock at " + clock.where.file +
               ":" + std::to_string(clock.where.line) + ": no console there";
      }
    }
  }
  if (const auto holder = lookup.held_by(port)) {
    return device + " is held open by " + *holder + ": no console there";
  }
  return std::nullopt;
}

namespace {

std::string resolve_path(const std::string& path) {
  char resolved[PATH_MAX];
  return ::realpath(path.c_str(), resolved) != nullptr ? std::string(resolved) : path;
}

std::optional<std::string> process_holding(const std::string& device) {
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return std::nullopt;
  std::optional<std::string> holder;
  while (const dirent* entry = ::readdir(proc)) {
    const std::string pid = entry->d_name;
    if (pid.find_first_not_of("0123456789") != std::string::npos ||
        pid == std::to_string(::getpid()))
      continue;
    const std::string fds = "/proc/" + pid + "/fd";
    DIR* dir = ::opendir(fds.c_str());
    if (dir == nullptr) continue;
    while (const dirent* fd = ::readdir(dir)) {
      char target[PATH_MAX];
      const std::string link = fds + "/" + fd->d_name;
      const ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
      if (n <= 0 || std::string(target, static_cast<std::size_t>(n)) != device) continue;
      std::string name;
      std::ifstream(("/proc/" + pid + "/comm").c_str()) >> name;
      holder = (name.empty() ? std::string("process") : name) + " (pid " + pid + ")";
      break;
    }
    ::closedir(dir);
    if (holder) break;
  }
  ::closedir(proc);
  return holder;
}

}  // namespace

PortLookup host_port_lookup() {
  return {resolve_path, process_holding};
}

}  // namespace stratumd
