// The servo for every sample class (PPS, NMEA-only, network): a bank of Kalman filters over the
// clock's offset and frequency, one per candidate oscillator noise model, the best explained by
// the recent samples steering the clock (multiple-model adaptive estimation). The measurement
// noise is measured from the samples themselves (PhaseNoiseEstimator on the reconstructed
// free-running phase), or comes with each sample when its source knows it: a network sample's
// error is bounded by its delay above the path's least, so each is weighted by what it is worth
// and several servers combine by their errors, not by following one. A sample far outside the
// selected filter's prediction is refused, so a glitch never moves the clock. Each accepted
// sample is steered out at once (deadbeat, slewed over `slew_duration`), as the models estimate
// it weighted by how well each explains the recent samples: the clock's error is then the
// estimation error, the least any servo can leave. The filters are told what the clock really
// applied between samples (its ledger), never what was asked of it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "firmware/discipline/kalman_clock_filter.hpp"
#include "firmware/discipline/phase_noise_estimator.hpp"
#include "firmware/discipline/servo.hpp"

namespace stratumd {

struct KalmanServoParams {
  const char* name = "pps-kalman";  // "nmea-kalman", "network-kalman" for the other classes
  double outlier_sigmas = 6.0;      // refuse samples beyond this many predicted sigmas
  int samples_before_gating = 16;   // until the noise is measured, everything is taken
  double likelihood_memory = 512;   // samples over which the models' fit is compared
  // The sample noise assumed until it is measured: 10 us, a loaded system's edge stamping, so
  // early PPS samples are not trusted more than they deserve (NMEA: 10 ms).
  double initial_noise = 10e-6;
  // How long each correction is slewed over (replaced by the next sample's).
  Nanoseconds slew_duration = std::chrono::seconds{1};
};

class KalmanServo final : public Servo {
 public:
  explicit KalmanServo(KalmanServoParams params = {});

  const char* name() const override { return params_.name; }
  void reset(const Clock& clock, bool frequency_known, UtcTime at) override;
  void take_over(const Clock& clock, UtcTime at, double offset_sd,
                 double frequency_sd_ppm) override;
  using Servo::sample;
  void reset_unset(const Clock& clock, bool frequency_known, UtcTime at,
                   Nanoseconds offset) override;
  ServoCorrection sample(Nanoseconds offset, UtcTime at, const Clock& clock,
                         double variance) override;
  ServoEstimate estimate() const override;
  void clock_stepped(Nanoseconds step, const Clock& clock) override;

  std::uint64_t refused() const { return refused_; }

 private:
  // Candidate white-FM (phase diffusion) x random-walk-FM (frequency diffusion) levels.
  static constexpr int kPhaseLevels = 7;
  // Random-walk FM up to 1e-15/s (0.03 ppm per sqrt(s)): beyond any crystal, even one in a
  // draught. Larger levels only let one noisy sample throw the frequency around while the noise
  // is still being measured.
  static constexpr int kFrequencyLevels = 14;
  static constexpr int kModels = kPhaseLevels * kFrequencyLevels;

  struct Model {
    KalmanClockFilter filter;
    ClockNoise noise;
    double score = 0.0;  // smoothed log-likelihood of recent innovations
  };

  const Model& selected() const { return models_[selected_]; }
  void learn_measurement_noise(double offset, UtcTime at);

  KalmanServoParams params_;
  std::array<Model, kModels> models_{};
  int selected_ = 0;
  std::optional<UtcTime> last_at_;
  double correction_at_last_ = 0.0;  // the clock's ledger at the last sample
  // What steers: the models' estimates at the last sample, weighted by their likelihood.
  double blended_offset_ = 0.0;
  double blended_frequency_ = 0.0;
  std::uint64_t accepted_since_reset_ = 0;
  std::uint64_t scored_since_reset_ = 0;
  std::uint64_t refused_ = 0;

  // Measurement noise from the free-running phase: the clock's own corrections added back.
  PhaseNoiseEstimator noise_;
  double measurement_variance_;  // until measured: params_.initial_noise squared
  // The samples' own variances, when they come with them: their recent average, for the jitter.
  std::optional<double> given_variance_;
  double variance_at_score_reset_;          // model scores compare fairly under one R only
  double correction_since_accepted_ = 0.0;  // corrections applied since the last accepted sample
  std::optional<double> last_accepted_offset_;
  std::optional<UtcTime> last_accepted_at_;
};

}  // namespace stratumd
