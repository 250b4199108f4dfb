#include "firmware/board_selection.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "drivers/os/text_file.hpp"

namespace stratumd {
namespace {

// The file's text without what ends device-tree strings (NUL) and sysfs lines (a newline); empty
// when it cannot be read.
std::string read_text(const std::string& path) {
  std::string text = read_text_file(path).value_or("");
  while (!text.empty() && (text.back() == '\0' || text.back() == '\n' || text.back() == ' '))
    text.pop_back();
  return text;
}

std::string describe_host(const HostIdentity& host) {
  if (!host.device_tree_model.empty()) return "device tree model '" + host.device_tree_model + "'";
  if (!host.dmi.empty()) return "DMI '" + host.dmi + "'";
  return "no device tree model and no DMI";
}

}  // namespace

BoardPlaces default_board_places() {
  BoardPlaces places;
  if (const char* dir = std::getenv("STRATUMD_BOARD_DIR"); dir && *dir) {
    places.profiles_dir = dir;
  } else {
    places.profiles_dir = STRATUMD_BOARD_DIR_INSTALLED;
  }
  if (const char* root = std::getenv("STRATUMD_HOST_ROOT")) places.host_root = root;
  return places;
}

HostIdentity read_host_identity(const std::string& root) {
  HostIdentity host;
  host.device_tree_model = read_text(root + "/proc/device-tree/model");
  const std::string vendor = read_text(root + "/sys/class/dmi/id/sys_vendor");
  const std::string product = read_text(root + "/sys/class/dmi/id/product_name");
  host.dmi = vendor + (vendor.empty() || product.empty() ? "" : " ") + product;
  return host;
}

std::vector<BoardProfile> load_board_profiles(const std::string& dir,
                                              std::vector<std::string>& errors) {
  std::vector<BoardProfile> profiles;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".board") continue;
    profiles.push_back(parse_board_profile(entry.path().stem().string(),
                                           read_text(entry.path().string()), errors));
  }
  if (ec) errors.push_back(dir + ": " + ec.message());
  std::sort(profiles.begin(), profiles.end(),
            [](const BoardProfile& a, const BoardProfile& b) { return a.name < b.name; });
  return profiles;
}

std::vector<std::string> apply_board(DaemonConfig& config, const BoardPlaces& places) {
  std::vector<std::string> notes;
  if (!config.board) return notes;
  const SourceLocation& where = config.board_where;
  const auto finding = [&](Severity severity, const std::string& message) {
    config.findings.push_back(ConfigFinding{severity, where, message});
  };
  std::vector<std::string> errors;
  const std::vector<BoardProfile> profiles = load_board_profiles(places.profiles_dir, errors);
  for (const std::string& e : errors) finding(Severity::error, "board profile " + e);
  const HostIdentity host = read_host_identity(places.host_root);
  const BoardProfile* chosen = nullptr;
  if (*config.board == "auto") {
    chosen = match_board(profiles, host);
    if (!chosen) {
      finding(Severity::warning, "board auto: this host (" + describe_host(host) +
                                     ") matches no profile in " + places.profiles_dir +
                                     "; the reference clocks are only those the lines declare");
      return notes;
    }
  } else {
    const auto it = std::find_if(profiles.begin(), profiles.end(),
                                 [&](const BoardProfile& p) { return p.name == *config.board; });
    if (it == profiles.end()) {
      std::string names;
      for (const BoardProfile& p : profiles) names += (names.empty() ? "" : ", ") + p.name;
      finding(Severity::error, "board " + *config.board + ": no such profile in " +
                                   places.profiles_dir + " (there are: " + names + ")");
      return notes;
    }
    chosen = &*it;
  }
  config.board_summary = chosen->name + " (" + chosen->description + ")";
  const std::string prefix = where.file + ":" + std::to_string(where.line) + ": board " +
                             chosen->name + " (" + chosen->description + "; " +
                             describe_host(host) + ")";
  if (config.refclocks.empty()) {
    config.refclocks = board_refclocks(*chosen, where);
    notes.push_back(prefix + ": NMEA on " + chosen->uart +
                    (chosen->pps.empty() ? "" : ", PPS on " + chosen->pps));
  } else {
    notes.push_back(prefix + ": the reference clock lines are used, not the profile's");
  }
  if (!config.status_led && !chosen->led.empty()) {
    config.status_led = chosen->led;
    notes.push_back(prefix + ": status LED " + chosen->led);
  }
  if (!chosen->console.empty()) {
    const std::string port = chosen->console.substr(chosen->console.rfind('/') + 1);
    notes.push_back(prefix + ": the operator's console goes on " + chosen->console +
                    " (systemctl enable stratumctl-console@" + port + ")");
  }
  std::string boot;
  for (const std::string& line : chosen->boot) boot += (boot.empty() ? "" : "; ") + line;
  if (!boot.empty()) notes.push_back(prefix + ": the boot configuration needs: " + boot);
  return notes;
}

DaemonConfig parse_config_with_board(const std::string& path, const FileLoader& load) {
  DaemonConfig config = parse_ntp_conf(path, load);
  apply_board(config, default_board_places());
  return config;
}

}  // namespace stratumd
