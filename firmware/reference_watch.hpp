// What the daemon knows of its reference clock between samples: when it was first and last heard,
// its latest offset against our clock, whether a receiver's correction to UTC has been taken; and
// from that the state the system process judges (producing, awaited at start, its own error).
// Pure: every time is passed in (steady time, immune to our own steps).
#pragma once

#include <chrono>
#include <optional>

#include "firmware/ntp/system_process.hpp"
#include "refclock/gps_combiner.hpp"

namespace stratumd {

class ReferenceWatch {
 public:
  using Steady = std::chrono::steady_clock::time_point;

  // Receivers learn UTC (the GPS-UTC offset, from the almanac: up to 12.5 min) after their first
  // fix and report GPS time until then: a whole-second jump of theirs this soon is a correction.
  static constexpr std::chrono::minutes kUtcLearning{20};
  static constexpr double kLargestUtcCorrection = 20.5;  // s: GPS-UTC is 18 s today
  // Samples this recent: the reference clock is producing (it holds the clock while it locks).
  static constexpr std::chrono::seconds kProducing{10};
  // A sample this recent is judged by the network.
  static constexpr std::chrono::seconds kRecent{120};
  // How long the network waits at start for a reference clock not heard yet.
  static constexpr std::chrono::seconds kAwaited{30};

  explicit ReferenceWatch(Steady started) : started_(started) {}

  void heard(const ReferenceSample& s, Steady now);
  // Our clock was stepped: the latest offset was measured against the old one.
  void clock_stepped() { latest_.reset(); }

  // What the system process needs; `own_jitter` (s) when the reference clock's servo steers.
  ReferenceClockState state(bool configured, bool names_its_seconds, bool serving,
                            std::optional<double> own_jitter, Steady now) const;
  bool silent_for(std::chrono::seconds quiet, Steady now) const {
    return now - started_ > quiet && (!last_heard_ || now - *last_heard_ > quiet);
  }
  // Whether `s`, beyond `step_threshold` (s) while the clock is set, is the receiver's first
  // whole-second correction to UTC soon after its first sample (taken once).
  bool utc_correction(const ReferenceSample& s, double step_threshold, Steady now);

 private:
  struct Latest {
    double offset = 0.0;  // s, against our clock
    Steady at;
    SampleKind kind = SampleKind::pps;
  };
  Steady started_;
  std::optional<Latest> latest_;
  std::optional<Steady> first_heard_;
  std::optional<Steady> last_heard_;
  bool utc_correction_taken_ = false;
};

}  // namespace stratumd
