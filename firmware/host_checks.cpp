#include "firmware/host_checks.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include "drivers/os/text_file.hpp"
#include "firmware/config/refclock_config.hpp"

namespace stratumd {
namespace {

bool exists(const std::string& path) {
  return ::access(path.c_str(), F_OK) == 0;
}

// The devices a reference clock line opens; `retried` when the driver waits for a missing device
// (a serial receiver unplugged) rather than refusing to start.
struct Device {
  std::string path;
  bool retried = false;
};

std::vector<Device> devices_of(const RefclockDeclaration& r) {
  std::vector<Device> devices;
  // SHM segments and gpsd are made by gpsd when it runs.
  if (r.type == refclock_type::shm || r.type == refclock_type::gpsd_json) return devices;
  const std::string device = refclock_device(r.type, r.unit, r.options);
  if (!device.empty()) devices.push_back({device, r.type == refclock_type::nmea});
  if (r.type == refclock_type::nmea && r.options.flag(1)) {
    devices.push_back({nmea_pps_device(r.unit, r.options), false});
  }
  return devices;
}

}  // namespace

std::vector<HostFinding> host_findings(const DaemonConfig& config, const std::string& config_name,
                                       bool receivers) {
  std::vector<HostFinding> found;
  const auto warn = [&](const std::string& where, const std::string& what) {
    found.push_back({false, where + ": warning: " + what});
  };
  for (const RefclockDeclaration& r : config.refclocks) {
    if (!receivers) break;
    const std::string where = r.where.file + ":" + std::to_string(r.where.line);
    for (const Device& device : devices_of(r)) {
      if (device.path.empty() || exists(device.path)) continue;
      if (device.retried) {
        warn(where, device.path + " does not exist (yet): the receiver is opened when it appears");
      } else {
        found.push_back({true, where + ": error: " + device.path +
                                   " does not exist: the daemon would not start"});
      }
    }
  }
  const auto check_directory = [&](const std::string& directory, const std::string& consequence) {
    if (!exists(directory)) {
      warn(config_name, directory + " does not exist: " + consequence);
    } else if (::access(directory.c_str(), W_OK) != 0) {
      warn(config_name, directory + " is not writable: " + consequence);
    }
  };
  if (config.driftfile) {
    check_directory(directory_of(*config.driftfile),
                    "the frequency will not be kept across restarts (driftfile)");
  }
  bool statistics = false;
  for (const auto& [name, stats] : config.stats) statistics = statistics || stats.enabled;
  if (statistics)
    check_directory(config.statsdir, "no statistics files will be written (statsdir)");
  if (!config.logfile.empty()) {
    // As the daemon does: a logfile it cannot open (a link planted there included) is not a
    // reason not to serve; the messages go to syslog or the journal instead.
    const std::string& log = config.logfile;
    struct stat info {};
    const bool link = ::lstat(log.c_str(), &info) == 0 && S_ISLNK(info.st_mode);
    const bool writable = exists(log) ? ::access(log.c_str(), W_OK) == 0
                                      : ::access(directory_of(log).c_str(), W_OK) == 0;
    if (link) {
      warn(config_name,
           "logfile " + log + " is a symbolic link: refused, messages go to syslog or the journal");
    } else if (!writable) {
      warn(config_name, "logfile " + log +
                            " cannot be opened for writing: messages go to syslog or the journal");
    }
  }
  // The leapfile is not checked here: loading it (leap_table_loader) says what is wrong with it,
  // at start and in --check-config alike.
  return found;
}

}  // namespace stratumd
