// The RFC 5905 hybrid phase/frequency-lock loop, with the constants ntpd 4.2.8 runs (the RFC
// appendix's PLL gain is a known typo: its time constant would be weeks). Used for NMEA-only and
// network samples, whose noise is milliseconds: a type-2 PLL whose time constant follows the poll
// exponent, adapted by ntpd's jiggle counter, with the FLL joining above the Allan intercept.
// Without a known frequency it first measures one directly over `frequency_watch` (ntpd's FREQ
// state), as ntpd does.
#pragma once

#include <optional>

#include "firmware/discipline/servo.hpp"
#include "firmware/ntp/poll_adapter.hpp"

namespace stratumd {

struct Rfc5905Params {
  int min_poll = 4;  // 16 s: ntpd's refclock default
  int max_poll = 4;
  Nanoseconds frequency_watch = std::chrono::seconds{300};  // ntpd's clock_minstep
  double precision = 1e-6;                                  // jitter floor, s
};

class Rfc5905Servo final : public Servo {
 public:
  explicit Rfc5905Servo(Rfc5905Params params = {})
      : params_(params), jiggle_(params.min_poll, params.max_poll) {}

  const char* name() const override { return "rfc5905"; }
  void reset(const Clock& clock, bool frequency_known, UtcTime at,
             bool phase_known = false) override;
  ServoCorrection sample(Nanoseconds offset, UtcTime at, const Clock& clock) override;
  ServoEstimate estimate() const override;

  int poll_log2() const { return poll_; }

 private:
  enum class State { measuring_frequency, synchronised };

  void adapt_poll(double offset);

  Rfc5905Params params_;
  State state_ = State::measuring_frequency;
  UtcTime epoch_{};         // last update
  UtcTime watch_start_{};   // start of the direct frequency measurement
  double frequency_ = 0.0;  // s/s
  double offset_ = 0.0;     // residual offset at the last update, s
  double jitter_ = 0.0;
  // The latest offset seen while the frequency is watched: the jitter is measured then too, so
  // the scatter of an NMEA-only clock shows from its first minutes.
  std::optional<double> watched_offset_;
  double wander_ = 0.0;  // s/s
  int poll_ = 4;
  JiggleCounter jiggle_;
};

}  // namespace stratumd
