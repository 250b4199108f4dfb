#include "firmware/discipline/simple_pps_loop.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace stratumd {
namespace {

Nanoseconds abs(Nanoseconds d) {
  return d < Nanoseconds{0} ? -d : d;
}

}  // namespace

SimplePpsLoop::SimplePpsLoop(Clock& clock, SimpleLoopParams params)
    : clock_(clock), params_(params) {
  status_.frequency_ppm = clock_.frequency_ppm();
}

SimpleLoopParams nmea_only_loop_params() {
  SimpleLoopParams p;
  p.lock_threshold = std::chrono::milliseconds{20};
  p.proportional_gain = 0.1;
  p.integral_gain = 0.0025;
  return p;
}

void SimplePpsLoop::set_params(const SimpleLoopParams& params) {
  params_ = params;
  good_in_a_row_ = 0;
  outliers_in_a_row_ = 0;
}

void SimplePpsLoop::restart_from(const RefSample& sample) {
  status_.last_update = sample.reference;
  const Nanoseconds offset = sample.offset();
  if (abs(offset) > params_.step_threshold) {
    clock_.step(offset);
    ++status_.steps;
  } else {
    clock_.slew(offset);
  }
  status_.state = SyncState::locking;
  good_in_a_row_ = 0;
  outliers_in_a_row_ = 0;
  // Once the correction is complete the clock reads the reference at the edge, so the next
  // sample's offset is the frequency error times the interval. A slew longer than a sample
  // interval would blur that estimate; the PI loop alone pulls in from there.
  const bool corrected_by_next_sample =
      abs(offset) > params_.step_threshold || to_seconds(abs(offset)) < 0.8 * kMaxSlewRate;
  if (corrected_by_next_sample) frequency_anchor_ = sample;
}

void SimplePpsLoop::on_sample(const RefSample& sample) {
  ++status_.samples;
  const Nanoseconds offset = sample.offset();
  status_.last_offset = offset;
  status_.leap = sample.leap;

  if (status_.state == SyncState::unsynchronised) {
    restart_from(sample);
    return;
  }

  // Still pulling in and beyond the step threshold: slewing at 500 ppm would take minutes, so
  // start over with a step (the samples since the last one did not bear it out).
  if (status_.state == SyncState::locking && abs(offset) > params_.step_threshold) {
    restart_from(sample);
    return;
  }

  // Outliers: far beyond the recent jitter. A few are ignored; a persistent change is real.
  const Nanoseconds outlier_bound = std::max(params_.lock_threshold * 10, status_.jitter * 20);
  if (status_.state != SyncState::locking && abs(offset) > outlier_bound) {
    ++status_.outliers;
    if (++outliers_in_a_row_ <= params_.max_consecutive_outliers) return;
    restart_from(sample);
    return;
  }
  outliers_in_a_row_ = 0;

  double frequency = clock_.frequency_ppm();
  if (frequency_anchor_) {
    const double interval = to_seconds(sample.reference - frequency_anchor_->reference);
    const double estimate =
        interval > 0.5 ? frequency + to_seconds(offset) / interval * 1e6 : frequency;
    frequency_anchor_.reset();
    if (std::abs(estimate) > params_.max_frequency_ppm) {
      ++status_.outliers;  // two samples that no real oscillator could join: start over
      restart_from(sample);
      return;
    }
    frequency = estimate;
  } else {
    frequency += to_seconds(offset) * params_.integral_gain * 1e6;
  }
  frequency = std::clamp(frequency, -params_.max_frequency_ppm, params_.max_frequency_ppm);
  clock_.set_frequency(frequency);
  clock_.slew(from_seconds(to_seconds(offset) * params_.proportional_gain));
  status_.frequency_ppm = frequency;

  const double x = to_seconds(offset);
  const double jitter = to_seconds(status_.jitter);
  status_.jitter = from_seconds(std::sqrt(jitter * jitter + (x * x - jitter * jitter) / 8.0));

  if (abs(offset) < params_.lock_threshold) {
    if (++good_in_a_row_ >= params_.samples_to_lock) status_.state = SyncState::locked;
  } else {
    good_in_a_row_ = 0;
  }
  if (status_.state == SyncState::holdover) status_.state = SyncState::locked;
  status_.last_update = sample.reference;
}

void SimplePpsLoop::on_tick(UtcTime now) {
  if (!status_.last_update) return;
  const Nanoseconds age = now - *status_.last_update;
  if (status_.state == SyncState::locked && age > params_.holdover_after) {
    status_.state = SyncState::holdover;
  } else if (status_.state == SyncState::locking && age > params_.holdover_after) {
    status_.state = SyncState::unsynchronised;
  }
  if (status_.state == SyncState::holdover && age > params_.holdover_limit) {
    status_.state = SyncState::unsynchronised;
  }
}

void SimplePpsLoop::fill_snapshot(ClockSnapshot& snapshot, std::uint32_t reference_id) const {
  snapshot.state = status_.state;
  snapshot.has_stepped = status_.steps > 0;
  const bool serving = status_.state == SyncState::locked || status_.state == SyncState::holdover;
  snapshot.stratum = serving ? 1 : 16;
  snapshot.leap = serving ? status_.leap : LeapIndicator::unsynchronised;
  snapshot.reference_id = reference_id;
  snapshot.root_delay = Nanoseconds{0};
  if (status_.last_update) snapshot.reference_time = *status_.last_update;
  // Dispersion at the update: the clock's resolution, the measured jitter and the last residual.
  const Nanoseconds resolution = from_seconds(std::ldexp(1.0, snapshot.precision));
  snapshot.root_dispersion = resolution + status_.jitter + abs(status_.last_offset);
}

}  // namespace stratumd
