// Learns how long after the PPS edge each sentence type starts to arrive (the receiver's
// computation plus the serial transfer), while PPS and NMEA are both present, so that when PPS is
// lost the NMEA-only fallback corrects for the measured delay instead of a hand-tuned `time2`.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "firmware/time/time_types.hpp"
#include "refclock/nmea_parser.hpp"

namespace stratumd {

struct DelayEstimate {
  Nanoseconds mean{0};
  Nanoseconds spread{0};  // standard deviation
  std::uint64_t samples = 0;
};

class NmeaDelayCalibrator {
 public:
  static constexpr std::uint64_t kMinSamples = 16;
  static constexpr std::size_t kTypes = static_cast<std::size_t>(NmeaType::other) + 1;

  // One observation: the sentence naming an edge started `delay` after it. Observations beyond a
  // second, negative, or far outside the spread seen so far are refused.
  bool observe(NmeaType type, Nanoseconds delay);

  // The learnt delay for `type`, once there are enough observations.
  std::optional<DelayEstimate> estimate(NmeaType type) const;

  // One line per learnt type: "nmea-delay RMC 0.123456789 0.000812345 1234".
  std::string serialize() const;
  // Reads what serialize() wrote; malformed lines are skipped. Returns how many types were loaded.
  int load(std::string_view text);

  std::uint64_t refused() const { return refused_; }

 private:
  struct Stats {
    std::uint64_t n = 0;
    double mean = 0.0;  // seconds
    double m2 = 0.0;
  };
  std::array<Stats, kTypes> stats_{};
  std::uint64_t refused_ = 0;
};

const char* nmea_type_name(NmeaType type);

}  // namespace stratumd
