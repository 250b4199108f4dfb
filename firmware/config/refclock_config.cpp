#include "firmware/config/refclock_config.hpp"

#include <charconv>
#include <cmath>

namespace stratumd {
namespace {

std::optional<int> to_int(const std::string& text) {
  int value = 0;
  const char* base = text.data();
  int radix = 10;
  if (text.starts_with("0x") || text.starts_with("0X")) {
    base += 2;
    radix = 16;
  }
  const auto [end, ec] = std::from_chars(base, text.data() + text.size(), value, radix);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<double> to_seconds_value(const std::string& text) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(value) ||
      std::abs(value) > 3600) {
    return std::nullopt;
  }
  return value;
}

// Options with a value; returns an error, empty when handled, or "?" when the word is not one.
std::string apply_fudge_word(RefclockOptions& o, const std::string& key, const std::string* value) {
  if (key == "time1" || key == "time2") {
    if (!value) return key + " needs a value in seconds";
    const auto v = to_seconds_value(*value);
    if (!v) return key + " must be a number of seconds (at most 3600), not '" + *value + "'";
    (key == "time1" ? o.time1 : o.time2) = *v;
    return {};
  }
  if (key == "stratum") {
    const auto v = value ? to_int(*value) : std::nullopt;
    if (!v || *v < 0 || *v > 15) return "stratum takes a number from 0 to 15";
    o.stratum = *v;
    return {};
  }
  if (key == "refid") {
    if (!value || value->empty() || value->size() > 4) return "refid takes one to four characters";
    o.refid = *value;
    return {};
  }
  if (key == "fix") {
    if (!value || (*value != "sky" && *value != "estimated")) {
      return "fix takes 'sky' (the default: autonomous, differential, RTK or PPS solutions) or "
             "'estimated' (dead reckoning counts too)";
    }
    o.accept_estimated_fix = *value == "estimated";
    return {};
  }
  if (key.size() == 5 && key.starts_with("flag") && key[4] >= '1' && key[4] <= '4') {
    if (!value || (*value != "0" && *value != "1")) return key + " takes 0 or 1";
    o.flags[static_cast<std::size_t>(key[4] - '1')] = *value == "1";
    return {};
  }
  return "?";
}

std::string apply_words(RefclockOptions& o, const std::vector<std::string>& words,
                        std::size_t first, bool fudge_words, bool server_words, bool refclock_words,
                        const char* valid) {
  for (std::size_t i = first; i < words.size(); ++i) {
    const std::string& key = words[i];
    const std::string* value = i + 1 < words.size() ? &words[i + 1] : nullptr;
    if (server_words && (key == "prefer" || key == "noselect" || key == "iburst" ||
                         key == "burst" || key == "true")) {
      if (key == "prefer") o.prefer = true;
      if (key == "noselect") o.noselect = true;
      continue;
    }
    if (server_words &&
        (key == "mode" || key == "minpoll" || key == "maxpoll" || key == "version")) {
      const auto v = value ? to_int(*value) : std::nullopt;
      if (!v || *v < 0 || *v > 0xFFFF) return key + " needs a number";
      if (key == "mode") o.mode = *v;
      if (key == "minpoll") {
        if (*v < 0 || *v > 17) return "minpoll takes a number from 0 to 17";
        o.minpoll = *v;
      }
      ++i;
      continue;
    }
    if (refclock_words && (key == "path" || key == "ppspath")) {
      if (!value || value->empty()) return key + " needs a device path (gpsd: host:port)";
      (key == "path" ? o.path : o.ppspath) = *value;
      ++i;
      continue;
    }
    if (refclock_words && (key == "baud" || key == "line")) {
      const int v = (value ? to_int(*value) : std::nullopt).value_or(-1);
      if (key == "baud") {
        if (v != 4800 && v != 9600 && v != 19200 && v != 38400 && v != 57600 && v != 115200) {
          return "baud takes 4800, 9600, 19200, 38400, 57600 or 115200";
        }
        o.baud = v;
      } else {
        if (v < 0 || v > 1023) return "line takes a GPIO line offset from 0 to 1023";
        o.gpio_line = v;
      }
      ++i;
      continue;
    }
    if (fudge_words) {
      const std::string e = apply_fudge_word(o, key, value);
      if (e.empty()) {
        ++i;
        continue;
      }
      if (e != "?") return e;
    }
    return "unknown option '" + key + "'; valid: " + valid;
  }
  return {};
}

}  // namespace

std::optional<int> refclock_type_from_name(const std::string& name) {
  if (name == "nmea") return refclock_type::nmea;
  if (name == "pps") return refclock_type::pps;
  if (name == "shm") return refclock_type::shm;
  if (name == "gpsd") return refclock_type::gpsd_json;
  if (name == "gpio") return refclock_type::gpio_pps;
  if (name == "dcd") return refclock_type::dcd_pps;
  return std::nullopt;
}

const char* refclock_type_name(int type) {
  switch (type) {
    case refclock_type::nmea:
      return "NMEA";
    case refclock_type::pps:
      return "PPS";
    case refclock_type::shm:
      return "SHM";
    case refclock_type::gpsd_json:
      return "GPSD_JSON";
    case refclock_type::gpio_pps:
      return "GPIO_PPS";
    case refclock_type::dcd_pps:
      return "DCD_PPS";
  }
  return "REFCLK";
}

std::string refclock_device(int type, int unit, const RefclockOptions& options) {
  const std::string u = std::to_string(unit);
  switch (type) {
    case refclock_type::nmea:
      return options.path.value_or("/dev/gps" + u);
    case refclock_type::pps:
      return options.path.value_or("/dev/pps" + u);
    default:
      return options.path.value_or("");
  }
}

std::string nmea_pps_device(int unit, const RefclockOptions& options) {
  return options.ppspath.value_or("/dev/gpspps" + std::to_string(unit));
}

std::string apply_server_options(RefclockOptions& o, const std::vector<std::string>& words,
                                 std::size_t first) {
  return apply_words(o, words, first, false, true, false,
                     "mode minpoll maxpoll prefer noselect iburst burst true version");
}

std::string apply_fudge_options(RefclockOptions& o, const std::vector<std::string>& words,
                                std::size_t first) {
  return apply_words(o, words, first, true, false, false,
                     "time1 time2 stratum refid flag1 flag2 flag3 flag4 fix");
}

std::string apply_refclock_options(RefclockOptions& o, const std::vector<std::string>& words,
                                   std::size_t first) {
  return apply_words(o, words, first, true, true, true,
                     "unit mode minpoll maxpoll prefer noselect path ppspath baud line time1 time2 "
                     "stratum refid flag1 flag2 flag3 flag4 fix");
}

}  // namespace stratumd
