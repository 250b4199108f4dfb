#include "refclock/nmea_delay_calibrator.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace stratumd {
namespace {

constexpr std::array<std::string_view, NmeaDelayCalibrator::kTypes> kNames{
    "RMC", "GGA", "GLL", "ZDA", "GNS", "GSA", "GSV", "other"};
// Floor for the outlier window: serial timing jitters by a character time or two at any baud.
constexpr double kMinWindow = 0.005;

}  // namespace

const char* nmea_type_name(NmeaType type) {
  return kNames[static_cast<std::size_t>(type)].data();
}

bool NmeaDelayCalibrator::observe(NmeaType type, Nanoseconds delay) {
  const double x = to_seconds(delay);
  Stats& s = stats_[static_cast<std::size_t>(type)];
  if (x < 0.0 || x >= 1.0) {
    ++refused_;
    return false;
  }
  if (s.n >= kMinSamples) {
    const double sd = std::sqrt(s.m2 / static_cast<double>(s.n - 1));
    if (std::abs(x - s.mean) > std::max(5.0 * sd, kMinWindow)) {
      ++refused_;
      return false;
    }
  }
  // Welford's running mean and variance.
  ++s.n;
  const double d = x - s.mean;
  s.mean += d / static_cast<double>(s.n);
  s.m2 += d * (x - s.mean);
  return true;
}

std::optional<DelayEstimate> NmeaDelayCalibrator::estimate(NmeaType type) const {
  const Stats& s = stats_[static_cast<std::size_t>(type)];
  if (s.n < kMinSamples) return std::nullopt;
  return DelayEstimate{from_seconds(s.mean),
                       from_seconds(std::sqrt(s.m2 / static_cast<double>(s.n - 1))), s.n};
}

std::string NmeaDelayCalibrator::serialize() const {
  std::string out;
  for (std::size_t i = 0; i < kTypes; ++i) {
    const Stats& s = stats_[i];
    if (s.n < kMinSamples) continue;
    char line[96];
    std::snprintf(line, sizeof line, "nmea-delay %s %.9f %.9f %llu\n", kNames[i].data(), s.mean,
                  std::sqrt(s.m2 / static_cast<double>(s.n - 1)),
                  static_cast<unsigned long long>(s.n));
    out += line;
  }
  return out;
}

int NmeaDelayCalibrator::load(std::string_view text) {
  int loaded = 0;
  while (!text.empty()) {
    const auto eol = text.find('\n');
    const std::string line(text.substr(0, eol));
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
    char name[8] = {};
    double mean = 0, sd = 0;
    unsigned long long n = 0;
    if (std::sscanf(line.c_str(), "nmea-delay %7s %lf %lf %llu", name, &mean, &sd, &n) != 4)
      continue;
    if (n < kMinSamples || mean < 0 || mean >= 1 || sd < 0 || !std::isfinite(sd)) continue;
    for (std::size_t i = 0; i < kTypes; ++i) {
      if (kNames[i] != name) continue;
      stats_[i] = Stats{n, mean, sd * sd * static_cast<double>(n - 1)};
      ++loaded;
    }
  }
  return loaded;
}

}  // namespace stratumd
