// `board NAME|auto` resolved on this host: the profiles read from the profiles directory, the host
// identified by its device tree or DMI, the profile's reference clocks added when the
// configuration declares none. Start-up, --check-config, SIGHUP and the console all parse through
// here, so they agree on what a `board` line means.
#pragma once

#include <string>
#include <vector>

#include "firmware/config/board_profile.hpp"
#include "firmware/config/ntp_conf_parser.hpp"

namespace stratumd {

struct BoardPlaces {
  std::string profiles_dir;  // *.board files
  std::string host_root;     // where /proc and /sys are read ("" for the host itself)
};

// STRATUMD_BOARD_DIR, else the installed directory (/usr/share/stratumd/boards);
// STRATUMD_HOST_ROOT, else "" (tests and image builds point them at the source tree, a fake root).
BoardPlaces default_board_places();

// /proc/device-tree/model (its trailing NUL dropped) and DMI's sys_vendor + product_name.
HostIdentity read_host_identity(const std::string& root);

// Every profile in `dir`, sorted by name; problems in `errors`.
std::vector<BoardProfile> load_board_profiles(const std::string& dir,
                                              std::vector<std::string>& errors);

// Resolves `config.board`: findings (an unknown name, no profile for this host, a broken profile)
// go to config.findings; when a profile is chosen, config.board_summary names it and, if no line
// declares a reference clock, its clocks are added. Returns lines to show the operator (what was
// chosen, what the boot configuration needs).
std::vector<std::string> apply_board(DaemonConfig& config, const BoardPlaces& places);

// parse_ntp_conf, then apply_board with the default places (notes dropped).
DaemonConfig parse_config_with_board(const std::string& path, const FileLoader& load);

}  // namespace stratumd
