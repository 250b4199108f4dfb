// RFC 5905's clock filter for one association: the last eight samples, their dispersion grown
// with age, and the one with the lowest delay chosen (the least disturbed by queueing), used for
// the clock only if newer than the last one used; the peer's dispersion and jitter follow every
// sample (so a source becomes selectable as the filter fills, even while an older low-delay
// sample stays the pick). Pure.
#pragma once

#include <array>
#include <optional>

#include "firmware/time/time_types.hpp"

namespace stratumd {

struct FilterSample {
  double offset = 0.0;
  double delay = 0.0;
  double dispersion = 0.0;
  UtcTime when{};
};

// A sample measured against a clock since stepped by `step`, as the stepped clock would have it.
void shift_sample(FilterSample& sample, Nanoseconds step);

struct FilterOutput {
  FilterSample chosen;
  double dispersion = 0.0;  // peer dispersion (weighted sum over the stages)
  double jitter = 0.0;      // RMS of the stages' offsets from the chosen one
  // The stages' offsets as a straight line (least squares; with fewer than three stages, the
  // newest offset and no slope): where it puts the offset at the newest stage's time, its slope
  // (s/s: the clock's frequency error against this source) and the RMS of the stages about it.
  // Unlike the jitter, not inflated by a clock that runs free at a wrong frequency, so sources
  // compare at a common time before the clock is set.
  double trend_offset = 0.0;
  double trend_slope = 0.0;
  double trend_residual = 0.0;
  UtcTime trend_at{};
  bool fresh = false;  // the chosen sample was not used before: news for the discipline
};

class ClockFilter {
 public:
  static constexpr std::size_t kStages = 8;

  // Adds a sample taken at `sample.when`; the output is `fresh` when a newer sample than the last
  // one used is chosen.
  FilterOutput add(const FilterSample& sample, double precision);

  std::size_t count() const { return count_; }
  // The clock was stepped by `step`: every stage measured the old clock, and moves with it (its
  // offset less the step, its time on the new clock), as chrony corrects its samples; ntpd
  // clears its filters instead, which leaves the source unselectable until they fill again.
  void shift(Nanoseconds step);

 private:
  void fit_trend(FilterOutput& out) const;

  std::array<FilterSample, kStages> stages_{};
  std::size_t count_ = 0;
  std::optional<UtcTime> last_used_;
};

}  // namespace stratumd
