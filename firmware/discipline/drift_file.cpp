#include "firmware/discipline/drift_file.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace stratumd {

DriftRead parse_drift_file(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
    text.remove_suffix(1);
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  if (text.empty()) return {std::nullopt, "empty"};
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(value)) {
    return {std::nullopt, "not a number"};
  }
  if (std::abs(value) > kMaxDriftPpm) return {std::nullopt, "beyond +-500 ppm"};
  return {value, {}};
}

std::string format_drift_file(double ppm) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f\n", ppm);
  return text;
}

}  // namespace stratumd
