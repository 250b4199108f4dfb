#include "firmware/config/discipline_config.hpp"

#include <charconv>
#include <cmath>

namespace stratumd {
namespace {

std::optional<double> parse_seconds(const std::string& text) {
  double value = 0.0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

constexpr double kMaxStep = 365 * 86400.0;
constexpr double kMaxPanic = 1e9;
constexpr double kMaxStepout = 86400.0;

}  // namespace

std::string apply_tinker(DisciplineSettings& settings, const std::vector<std::string>& words) {
  if (words.size() < 3 || words.size() % 2 == 0) {
    return "tinker takes NAME VALUE pairs: step, panic, stepout, dispersion, allan, huffpuff, "
           "freq, stepback, stepfwd";
  }
  DisciplineConfig& loop = settings.loop;
  for (std::size_t i = 1; i + 1 < words.size(); i += 2) {
    const std::string& name = words[i];
    const auto value = parse_seconds(words[i + 1]);
    if (!value || *value < 0) {
      return "tinker " + name + " needs a number of seconds (0 or more), not '" + words[i + 1] +
             "'";
    }
    // Bounded well inside what the nanosecond durations hold (about 292 years): an absurd value
    // is refused here rather than wrapping round (a stepout turned negative, a panic turned off).
    if (name == "step" || name == "stepback" || name == "stepfwd") {
      if (*value > kMaxStep) return "tinker " + name + " is 0 (never step) to 31536000 s (a year)";
      if (name != "step") settings.warnings.push_back("tinker " + name + " is taken as 'step'");
      loop.step_threshold = from_seconds(*value);
    } else if (name == "panic") {
      if (*value > kMaxPanic) return "tinker panic is 0 (no panic check) to 1000000000 s";
      loop.panic_threshold = from_seconds(*value);
    } else if (name == "stepout") {
      if (*value < 1 || *value > kMaxStepout) return "tinker stepout is 1 to 86400 s";
      loop.stepout = from_seconds(*value);
    } else if (name == "dispersion") {
      if (*value < 1e-6 || *value > 1e-3) {
        return "tinker dispersion is a rate in s/s between 1e-6 and 1e-3 (ntpd's default 15e-6)";
      }
      loop.dispersion_floor = *value;
    } else if (name == "allan" || name == "huffpuff" || name == "freq") {
      settings.warnings.push_back("tinker " + name + " is not used by stratumd's servos; ignored");
    } else {
      return "unknown tinker option '" + name +
             "'; valid: step, panic, stepout, dispersion, allan, huffpuff, freq, stepback, "
             "stepfwd";
    }
  }
  return {};
}

std::string apply_enable_disable(DisciplineSettings& settings,
                                 const std::vector<std::string>& words) {
  if (words.size() < 2) {
    return words[0] + " needs a flag: auth, bclient, calibrate, kernel, mode7, monitor, ntp, stats";
  }
  const bool on = words[0] == "enable";
  for (std::size_t i = 1; i < words.size(); ++i) {
    const std::string& flag = words[i];
    if (flag == "kernel") {
      settings.kernel_discipline = on;
    } else if (flag == "ntp") {
      settings.loop.steer = on;
    } else if (flag == "stats") {
      settings.stats_enabled = on;
    } else if (flag == "auth") {
      settings.auth_required = on;
      if (!on) {
        settings.warnings.push_back(
            "disable auth: unauthenticated symmetric peers and broadcasters are heard and may be "
            "followed (never against the reference clock); anyone on the LAN can offer the time");
      }
    } else if (flag == "bclient" || flag == "calibrate" || flag == "mode7" || flag == "monitor" ||
               flag == "peer_clear_digest_early" || flag == "unpeer_crypto_early" ||
               flag == "unpeer_crypto_nak_early" || flag == "unpeer_digest_early") {
      settings.warnings.push_back(words[0] + " " + flag + " is not implemented yet; ignored");
    } else {
      return "unknown " + words[0] + " flag '" + flag +
             "'; valid: auth, bclient, calibrate, kernel, mode7, monitor, ntp, stats";
    }
  }
  return {};
}

std::string apply_holdover(DisciplineSettings& settings, const std::vector<std::string>& words) {
  const auto value = words.size() == 2 ? parse_seconds(words[1]) : std::nullopt;
  if (!value || *value < 0 || *value > 30 * 86400.0) {
    return "holdover takes the seconds to keep serving stratum 1 without samples (0 to 2592000)";
  }
  settings.loop.holdover_limit = from_seconds(*value);
  return {};
}

std::string apply_leap_smear(DisciplineSettings& settings, const std::vector<std::string>& words) {
  const auto value = words.size() == 2 ? parse_seconds(words[1]) : std::nullopt;
  if (!value || (*value != 0 && *value < 600) || *value > 86400) {
    return "leapsmearinterval takes 0 (no smear) or the smear's length in seconds, 600 to 86400 "
           "(86400 recommended)";
  }
  settings.loop.leap_smear = from_seconds(*value);
  return {};
}

}  // namespace stratumd
