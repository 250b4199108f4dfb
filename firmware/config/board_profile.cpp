#include "firmware/config/board_profile.hpp"

#include <charconv>

#include "firmware/config/config_lines.hpp"
#include "firmware/config/refclock_config.hpp"

namespace stratumd {

// Profiles are read with ntp.conf's lexical rules (comments, quotes, continuations): one
// `key value…` a line, the value's words joined by single spaces.
BoardProfile parse_board_profile(const std::string& name, const std::string& text,
                                 std::vector<std::string>& errors) {
  BoardProfile p;
  p.name = name;
  int line_number = 0;
  int console_line = 0;
  const auto error = [&](const std::string& what) {
    errors.push_back(name + ".board:" + std::to_string(line_number) + ": " + what);
  };
  std::vector<SplitError> split_errors;
  const std::vector<ConfigLine> lines = split_config_lines(text, &split_errors);
  for (const SplitError& e : split_errors) {
    line_number = e.line;
    error(e.message);
  }
  for (const ConfigLine& line : lines) {
    line_number = line.line;
    const std::string& key = line.words[0];
    std::string value;
    for (std::size_t i = 1; i < line.words.size(); ++i) value += (i > 1 ? " " : "") + line.words[i];
    if (value.empty()) {
      error("'" + key + "' needs a value");
      continue;
    }
    if (key == "description") {
      p.description = value;
    } else if (key == "model") {
      p.models.push_back(value);
    } else if (key == "dmi") {
      p.dmi.push_back(value);
    } else if (key == "uart") {
      p.uart = value;
    } else if (key == "pps") {
      p.pps = value;
    } else if (key == "gpio") {
      const auto gap = value.find_last_of(" \t");
      int gpio_line = -1;
      const std::string number = gap == std::string::npos ? "" : value.substr(gap + 1);
      const auto [end, ec] =
          std::from_chars(number.data(), number.data() + number.size(), gpio_line);
      if (gap == std::string::npos || ec != std::errc{} || end != number.data() + number.size() ||
          gpio_line < 0) {
        error("gpio takes a chip label and a line number, not '" + value + "'");
        continue;
      }
      p.gpio_chip = value.substr(0, gap);
      p.gpio_line = gpio_line;
    } else if (key == "led") {
      p.led = value;
    } else if (key == "console") {
      p.console = value;
      console_line = line.line;
    } else if (key == "boot") {
      p.boot.push_back(value);
    } else {
      error("unknown key '" + key +
            "'; valid: description, model, dmi, uart, pps, gpio, led, console, boot");
    }
  }
  line_number = 0;
  if (p.models.empty() && p.dmi.empty()) error("no 'model' or 'dmi' line: it would match nothing");
  if (p.uart.empty()) error("no 'uart' line");
  if (!p.console.empty() && p.console == p.uart) {
    line_number = console_line;
    error("the console is on " + p.console + ", the GPS's UART: give it another port");
  }
  return p;
}

const BoardProfile* match_board(const std::vector<BoardProfile>& profiles,
                                const HostIdentity& host) {
  if (!host.device_tree_model.empty()) {
    for (const BoardProfile& p : profiles) {
      for (const std::string& model : p.models) {
        if (host.device_tree_model.rfind(model, 0) == 0) return &p;
      }
    }
    return nullptr;  // a board with a device tree is never taken for a PC
  }
  if (host.dmi.empty()) return nullptr;
  for (const BoardProfile& p : profiles) {
    for (const std::string& dmi : p.dmi) {
      if (dmi != "*" && host.dmi.find(dmi) != std::string::npos) return &p;
    }
  }
  for (const BoardProfile& p : profiles) {
    for (const std::string& dmi : p.dmi) {
      if (dmi == "*") return &p;
    }
  }
  return nullptr;
}

std::vector<RefclockDeclaration> board_refclocks(const BoardProfile& profile,
                                                 const SourceLocation& where) {
  std::vector<RefclockDeclaration> out;
  RefclockDeclaration nmea;
  nmea.type = refclock_type::nmea;
  nmea.where = where;
  nmea.options.path = profile.uart;
  nmea.options.baud = 9600;
  nmea.options.mode = 1;  // RMC
  nmea.options.refid = "GPS";
  nmea.options.prefer = true;
  out.push_back(nmea);
  if (!profile.pps.empty()) {
    RefclockDeclaration pps;
    pps.type = refclock_type::pps;
    pps.where = where;
    pps.options.path = profile.pps;
    pps.options.refid = "PPS";
    out.push_back(pps);
  }
  return out;
}

}  // namespace stratumd
