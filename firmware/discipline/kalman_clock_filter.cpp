#include "firmware/discipline/kalman_clock_filter.hpp"

namespace stratumd {

void KalmanClockFilter::reset(double offset, double offset_variance, double frequency,
                              double frequency_variance) {
  offset_ = offset;
  frequency_ = frequency;
  p00_ = offset_variance;
  p01_ = 0.0;
  p11_ = frequency_variance;
}

void KalmanClockFilter::predict(double dt, double applied_frequency, double slew,
                                const ClockNoise& noise) {
  offset_ += -slew + (frequency_ - applied_frequency) * dt;
  // P = F P F' + Q with F = [[1, dt], [0, 1]] and the continuous-time noise integrated over dt.
  const double q = noise.frequency;
  p00_ += dt * (2.0 * p01_ + dt * p11_) + noise.phase * dt + q * dt * dt * dt / 3.0;
  p01_ += dt * p11_ + q * dt * dt / 2.0;
  p11_ += q * dt;
}

KalmanClockFilter::Innovation KalmanClockFilter::innovation(double measured_offset,
                                                            double measurement_variance) const {
  return {measured_offset - offset_, p00_ + measurement_variance};
}

void KalmanClockFilter::update(double measured_offset, double measurement_variance) {
  const Innovation nu = innovation(measured_offset, measurement_variance);
  const double k0 = p00_ / nu.variance;
  const double k1 = p01_ / nu.variance;
  offset_ += k0 * nu.value;
  frequency_ += k1 * nu.value;
  // Joseph-free form is stable enough here: P stays symmetric by construction.
  const double p00 = p00_, p01 = p01_;
  p00_ -= k0 * p00;
  p01_ -= k0 * p01;
  p11_ -= k1 * p01;
}

}  // namespace stratumd
