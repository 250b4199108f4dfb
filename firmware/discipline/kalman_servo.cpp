#include "firmware/discipline/kalman_servo.hpp"

#include <algorithm>
#include <cmath>

#include "firmware/clock/clock_model.hpp"

namespace stratumd {
namespace {

constexpr std::uint64_t kTransientSamples = 8;
constexpr double kUnknownOffsetVariance = 1e-6;     // (1 ms)^2 right after the phase was set
constexpr double kKnownFrequencyVariance = 1e-12;   // (1 ppm)^2: a drift file or earlier lock
constexpr double kUnknownFrequencyVariance = 4e-8;  // (200 ppm)^2
// A clock taken over from another servo is never trusted closer than this.
constexpr double kLeastTakenOverOffset = 1e-6;
constexpr double kLeastTakenOverFrequencyPpm = 1e-3;
// Samples further apart than this do not join the noise measurement: frequency wander dominates.
constexpr double kMaxNoiseInterval = 16.0;

}  // namespace

KalmanServo::KalmanServo(KalmanServoParams params)
    : params_(params),
      measurement_variance_(params.initial_noise * params.initial_noise),
      variance_at_score_reset_(measurement_variance_) {
  for (int p = 0; p < kPhaseLevels; ++p) {
    for (int f = 0; f < kFrequencyLevels; ++f) {
      ClockNoise& noise = models_[p * kFrequencyLevels + f].noise;
      noise.phase = p == 0 ? 0.0 : std::pow(10.0, -24.0 + 2.0 * p);  // 1e-22 .. 1e-12 s^2/s
      noise.frequency = std::pow(10.0, -28.0 + f);                   // 1e-28 .. 1e-15 1/s
    }
  }
}

void KalmanServo::take_over(const Clock& clock, UtcTime at, double offset_sd,
                            double frequency_sd_ppm) {
  reset(clock, true, at);
  const double frequency = ledger_rate_from_ppm(clock.frequency_ppm());
  const double offset_variance = std::pow(std::max(offset_sd, kLeastTakenOverOffset), 2);
  const double frequency_variance =
      std::pow(std::max(frequency_sd_ppm, kLeastTakenOverFrequencyPpm) * 1e-6, 2);
  for (Model& m : models_) m.filter.reset(0.0, offset_variance, frequency, frequency_variance);
}

void KalmanServo::reset(const Clock& clock, bool frequency_known, UtcTime at) {
  // The filters work in the ledger's unit: frequency per second of the clock's reading.
  const double frequency = ledger_rate_from_ppm(clock.frequency_ppm());
  // A phase just set from a sample is as uncertain as one sample is, at least.
  const double offset_variance = std::max(kUnknownOffsetVariance, measurement_variance_);
  for (Model& m : models_) {
    m.filter.reset(0.0, offset_variance, frequency,
                   frequency_known ? kKnownFrequencyVariance : kUnknownFrequencyVariance);
    m.score = 0.0;
  }
  selected_ = 0;
  last_at_ = at;
  correction_at_last_ = clock.corrections().at(at);
  blended_offset_ = 0.0;
  blended_frequency_ = frequency;
  accepted_since_reset_ = 0;
  // The phase was just set: the free-running phase chain starts again; the noise level learnt
  // so far is the source's and stays.
  correction_since_accepted_ = 0.0;
  last_accepted_offset_.reset();
  last_accepted_at_.reset();
  noise_.forget_previous();
  scored_since_reset_ = 0;
}

void KalmanServo::reset_unset(const Clock& clock, bool frequency_known, UtcTime at,
                              Nanoseconds offset) {
  reset(clock, frequency_known, at);
  for (Model& m : models_) m.filter.shift(to_seconds(offset));
  blended_offset_ = to_seconds(offset);
}

void KalmanServo::learn_measurement_noise(double offset, UtcTime at) {
  // The first samples after a reset carry the frequency transient, not noise.
  const bool settled = accepted_since_reset_ >= kTransientSamples;
  // Since the last accepted sample, refused ones in between: the drift is over all of it (one
  // refused PPS glitch would otherwise leave 50 us of a 50 ppm drift in the step, and throw the
  // noise measurement and the models' scores).
  const double dt = last_accepted_at_ ? std::max(0.0, to_seconds(at - *last_accepted_at_)) : 1.0;
  last_accepted_at_ = at;
  if (last_accepted_offset_ && settled) {
    // The free-running phase step, less the drift the filter already knows of.
    const double phase_step = offset - *last_accepted_offset_ + correction_since_accepted_ -
                              selected().filter.frequency() * dt;
    noise_.add(phase_step, dt <= kMaxNoiseInterval);
    if (const auto r = noise_.variance()) measurement_variance_ = *r;
  } else {
    noise_.forget_previous();
  }
  last_accepted_offset_ = offset;
  correction_since_accepted_ = 0.0;
  const double ratio = measurement_variance_ / variance_at_score_reset_;
  if (ratio > 2.0 || ratio < 0.5) {
    // Under a different R the models' past likelihoods no longer compare: judge them afresh.
    for (Model& m : models_) m.score = 0.0;
    scored_since_reset_ = 0;
    variance_at_score_reset_ = measurement_variance_;
  }
}

ServoCorrection KalmanServo::sample(Nanoseconds offset_ns, UtcTime at, const Clock& clock,
                                    double variance) {
  const double offset = to_seconds(offset_ns);
  const double dt = last_at_ ? std::max(0.0, to_seconds(at - *last_at_)) : 1.0;
  last_at_ = at;
  const CorrectionLedger& ledger = clock.corrections();
  const double correction_at_sample = ledger.at(at);
  const double applied = correction_at_sample - correction_at_last_;
  correction_at_last_ = correction_at_sample;
  for (Model& m : models_) m.filter.predict(dt, 0.0, applied, m.noise);
  correction_since_accepted_ += applied;

  const bool given = variance > 0.0;
  const double r = given ? variance : measurement_variance_;
  const KalmanClockFilter::Innovation nu = selected().filter.innovation(offset, r);
  if (accepted_since_reset_ >= static_cast<std::uint64_t>(params_.samples_before_gating) &&
      std::abs(nu.value) > params_.outlier_sigmas * std::sqrt(nu.variance)) {
    ++refused_;
    return {};
  }

  if (given) {
    // Each likelihood below is judged under its own sample's variance: the scores compare.
    given_variance_ =
        given_variance_ ? *given_variance_ + (variance - *given_variance_) / 16.0 : variance;
  } else {
    learn_measurement_noise(offset, at);
  }
  ++accepted_since_reset_;
  ++scored_since_reset_;
  const double alpha =
      std::max(1.0 / static_cast<double>(scored_since_reset_), 1.0 / params_.likelihood_memory);
  for (Model& m : models_) {
    const KalmanClockFilter::Innovation v = m.filter.innovation(offset, r);
    const double log_likelihood = -0.5 * (std::log(v.variance) + v.value * v.value / v.variance);
    m.score += alpha * (log_likelihood - m.score);
    m.filter.update(offset, r);
  }
  selected_ = static_cast<int>(
      std::max_element(models_.begin(), models_.end(),
                       [](const Model& a, const Model& b) { return a.score < b.score; }) -
      models_.begin());

  // Deadbeat: the whole estimated offset, carried from the sample to now (the correction is
  // applied now, and the clock kept running on the old one since the sample), slewed out over
  // the next second. A slew runs at most kMaxSlewRate, so a large offset takes longer; the
  // ledger tells the filters what was done by the next sample.
  // Steered by the models' estimates weighted by how well each explained the recent samples
  // (their likelihood over the memory): when two models explain them about as well but disagree
  // (a long-memory one and a tracking one, on a crystal that wandered), the clock is not thrown
  // from one estimate to the other each time their ranking flips.
  const double memory =
      std::min(static_cast<double>(scored_since_reset_), params_.likelihood_memory);
  double weights = 0.0, offset_estimate = 0.0, frequency_estimate = 0.0;
  for (const Model& m : models_) {
    const double w = std::exp(memory * (m.score - models_[selected_].score));
    weights += w;
    offset_estimate += w * m.filter.offset();
    frequency_estimate += w * m.filter.frequency();
  }
  offset_estimate /= weights;
  frequency_estimate /= weights;
  blended_offset_ = offset_estimate;
  blended_frequency_ = frequency_estimate;
  const double frequency_ppm =
      std::clamp(ppm_from_ledger_rate(frequency_estimate), -kMaxFrequencyPpm, kMaxFrequencyPpm);
  const UtcTime now = std::max(clock.now(), at);
  const double offset_now = offset_estimate + frequency_estimate * to_seconds(now - at) -
                            (ledger.at(now) - correction_at_sample);
  return {true, frequency_ppm, from_seconds(offset_now), params_.slew_duration};
}

void KalmanServo::clock_stepped(Nanoseconds step, const Clock& clock) {
  const double change = -to_seconds(step);
  for (Model& m : models_) m.filter.shift(change);
  blended_offset_ += change;
  if (last_accepted_offset_) *last_accepted_offset_ += change;
  if (last_accepted_at_) *last_accepted_at_ += step;
  // The clock's ledger started over at the step: the next sample is judged against it.
  if (last_at_) {
    *last_at_ += step;
    correction_at_last_ = clock.corrections().at(*last_at_);
  }
}

ServoEstimate KalmanServo::estimate() const {
  ServoEstimate e;
  const Model& m = selected();
  e.offset = blended_offset_;
  e.frequency_ppm = ppm_from_ledger_rate(blended_frequency_);
  e.frequency_sd_ppm = std::sqrt(std::max(0.0, m.filter.frequency_variance())) * 1e6;
  e.jitter = from_seconds(std::sqrt(given_variance_.value_or(measurement_variance_)));
  e.random_walk = m.noise.frequency;
  e.phase_diffusion = m.noise.phase;
  e.wander_ppm = std::sqrt(m.noise.frequency) * 1e6;
  e.poll_log2 = 0;
  return e;
}

}  // namespace stratumd
