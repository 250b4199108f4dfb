// Board profiles as data (board/profiles/NAME.board): which UART the GPS is on, where its pulse
// arrives, the status LED, the serial port left for the operator's console, and what the boot
// configuration must say for that (config.txt overlays, a serial console to move). `board NAME` or
// `board auto` in ntp.conf takes the reference clocks from the profile when the configuration
// declares none. Pure: the files and the host's identity are read by the caller.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "firmware/config/ntp_conf_parser.hpp"

namespace stratumd {

struct BoardProfile {
  std::string name;  // the file's name without .board
  std::string description;
  std::vector<std::string> models;  // prefixes of the device tree's model
  std::vector<std::string> dmi;     // substrings of DMI's vendor/product; "*": any PC
  std::string uart;                 // the GPS's serial device
  std::string pps;                  // the pulse as a kernel PPS device (pps-gpio, ldattach)
  std::string gpio_chip;            // the same pulse through libgpiod: chip label and line
  std::optional<int> gpio_line;
  std::string led;  // /sys/class/leds/NAME
  // The operator's serial console (stratumctl-console@PORT): a port the GPS does not use.
  std::string console;
  std::vector<std::string> boot;  // "config.txt dtoverlay=…", "cmdline.txt remove console=…"
};

// What identifies this host: /proc/device-tree/model, or DMI on a PC.
struct HostIdentity {
  std::string device_tree_model;  // empty without a device tree
  std::string dmi;                // "VENDOR PRODUCT", empty without DMI
};

// Parses one profile; problems go to `errors` as "NAME.board:LINE: what".
BoardProfile parse_board_profile(const std::string& name, const std::string& text,
                                 std::vector<std::string>& errors);

// The profile for this host: a device-tree model prefix first, then a DMI substring, then a
// DMI wildcard; none when nothing matches.
const BoardProfile* match_board(const std::vector<BoardProfile>& profiles,
                                const HostIdentity& host);

// The reference clocks a profile implies: NMEA on its UART (RMC, 9600 baud) with the PPS on its
// kernel PPS device, as configs/raspberry-pi-gps-hat.conf writes them. Located at `where` (the
// `board` line).
std::vector<RefclockDeclaration> board_refclocks(const BoardProfile& profile,
                                                 const SourceLocation& where);

}  // namespace stratumd
