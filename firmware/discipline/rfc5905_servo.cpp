#include "firmware/discipline/rfc5905_servo.hpp"

#include <algorithm>
#include <cmath>

namespace stratumd {
namespace {

constexpr double kPll = 16.0;   // PLL loop gain
constexpr double kFll = 0.25;   // FLL loop gain
constexpr double kAvg = 8.0;    // averaging constant for jitter and wander
constexpr int kAllanLog2 = 11;  // Allan intercept, 2048 s

double poll_seconds(int poll) {
  return std::ldexp(1.0, poll);
}

}  // namespace

void Rfc5905Servo::reset(const Clock& clock, bool frequency_known, UtcTime at, bool) {
  frequency_ = clock.frequency_ppm() * 1e-6;
  state_ = frequency_known ? State::synchronised : State::measuring_frequency;
  epoch_ = at;
  watch_start_ = at;
  offset_ = 0.0;
  watched_offset_.reset();
  poll_ = params_.min_poll;
  jiggle_ = JiggleCounter(params_.min_poll, params_.max_poll);
}

void Rfc5905Servo::adapt_poll(double offset) {
  poll_ = jiggle_.update(std::abs(offset) < JiggleCounter::kPollGate * jitter_);
}

// ntpd's loop: the clock is assumed to follow the corrections as ntpd's own kernel interface
// does, so the ledger is not read.
ServoCorrection Rfc5905Servo::sample(Nanoseconds offset_ns, UtcTime at, const Clock&) {
  const double offset = to_seconds(offset_ns);
  const double mu = std::max(0.0, to_seconds(at - epoch_));
  const double limit = kMaxFrequencyPpm * 1e-6;

  if (state_ == State::measuring_frequency) {
    const double watched = to_seconds(at - watch_start_);
    if (at - watch_start_ < params_.frequency_watch) {
      // ntpd leaves the clock alone while it watches the offset grow, and measures the jitter.
      if (watched_offset_) {
        const double step = std::max(std::abs(offset - *watched_offset_), params_.precision);
        jitter_ = std::sqrt(jitter_ * jitter_ + (step * step - jitter_ * jitter_) / kAvg);
      }
      watched_offset_ = offset;
      return {true, frequency_ * 1e6, Nanoseconds{0}, Nanoseconds{0}};
    }
    // The offset grew from zero (the clock was just set) at the frequency error.
    frequency_ = std::clamp(frequency_ + offset / watched, -limit, limit);
    state_ = State::synchronised;
  } else {
    const double previous_frequency = frequency_;
    double change = 0.0;
    if (poll_ >= kAllanLog2) {
      change += (offset - offset_) / std::max(poll_seconds(poll_), mu) * kFll;
    }
    const double gain_interval = std::min(poll_seconds(kAllanLog2), mu);
    const double denominator = 4.0 * kPll * poll_seconds(poll_);
    change += offset * gain_interval / (denominator * denominator);
    frequency_ = std::clamp(frequency_ + change, -limit, limit);
    const double df = frequency_ - previous_frequency;
    wander_ = std::sqrt(wander_ * wander_ + (df * df - wander_ * wander_) / kAvg);
  }

  const double step = std::max(std::abs(offset - offset_), params_.precision);
  jitter_ = std::sqrt(jitter_ * jitter_ + (step * step - jitter_ * jitter_) / kAvg);
  adapt_poll(offset);
  offset_ = offset;
  epoch_ = at;

  // ntpd removes offset / (PLL * 2^poll) of the residual each second until the next update; the
  // same amount over the interval just seen, slewed over that interval.
  const double interval = std::clamp(mu, 1.0, poll_seconds(poll_));
  const double amortised =
      offset * (1.0 - std::pow(1.0 - 1.0 / (kPll * poll_seconds(poll_)), interval));
  return {true, frequency_ * 1e6, from_seconds(amortised), from_seconds(interval)};
}

ServoEstimate Rfc5905Servo::estimate() const {
  ServoEstimate e;
  e.offset = offset_;
  e.frequency_ppm = frequency_ * 1e6;
  e.frequency_sd_ppm = wander_ * 1e6;
  e.jitter = from_seconds(jitter_);
  e.wander_ppm = wander_ * 1e6;
  e.poll_log2 = poll_;
  e.frequency_measuring = state_ == State::measuring_frequency;
  return e;
}

}  // namespace stratumd
