#include "firmware/reference_watch.hpp"

#include <cmath>

namespace stratumd {

void ReferenceWatch::heard(const ReferenceSample& s, Steady now) {
  latest_ = Latest{to_seconds(s.sample.offset()), now, s.kind};
  last_heard_ = now;
  if (!first_heard_) first_heard_ = now;
}

ReferenceClockState ReferenceWatch::state(bool configured, bool names_its_seconds, bool serving,
                                          std::optional<double> own_jitter, Steady now) const {
  ReferenceClockState r;
  if (!configured) return r;
  r.serving = serving;
  r.producing = latest_ && now - latest_->at <= kProducing;
  // A bare PPS waits for the network to number it: the network does not wait for it.
  r.awaited = !first_heard_ && names_its_seconds && now - started_ < kAwaited;
  if (latest_ && now - latest_->at <= kRecent) {
    r.recent_offset = latest_->offset;
    r.pulse_backed = latest_->kind == SampleKind::pps;
    // Its own error: its servo's measured jitter while it steers, over a floor for the kind.
    r.sample_error = (r.pulse_backed ? 1e-5 : 5e-3) + own_jitter.value_or(0.0);
  }
  return r;
}

bool ReferenceWatch::utc_correction(const ReferenceSample& s, double step_threshold, Steady now) {
  const double offset = to_seconds(s.sample.offset());
  const double size = std::abs(offset);
  const bool whole_seconds =
      size >= 0.5 && size <= kLargestUtcCorrection && std::abs(offset - std::round(offset)) < 0.1;
  if (utc_correction_taken_ || !first_heard_ || step_threshold <= 0.0 || size <= step_threshold ||
      !whole_seconds || now - *first_heard_ > kUtcLearning) {
    return false;
  }
  utc_correction_taken_ = true;
  return true;
}

}  // namespace stratumd
