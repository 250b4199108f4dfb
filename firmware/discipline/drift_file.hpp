// ntpd's drift file: one number, the frequency correction in ppm. Read at start so the loop does
// not relearn the crystal; written at most hourly and at exit.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace stratumd {

inline constexpr double kMaxDriftPpm = 500.0;

struct DriftRead {
  std::optional<double> ppm;
  std::string problem;  // why the text was refused, when it was
};

DriftRead parse_drift_file(std::string_view text);
std::string format_drift_file(double ppm);

}  // namespace stratumd
