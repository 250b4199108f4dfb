// A two-state Kalman filter for a clock: the offset (reference minus clock, s) and the frequency
// correction that would hold it constant (s/s). Pure arithmetic, trivially copyable, shared by
// the adaptive PPS servo and the benchmark's optimal-estimator floor.
#pragma once

namespace stratumd {

struct ClockNoise {
  double measurement = 0.0;  // R: variance of one offset sample, s^2
  double phase = 0.0;        // white frequency noise: phase diffusion, s^2/s
  double frequency = 0.0;    // random-walk frequency noise: frequency diffusion, 1/s
};

class KalmanClockFilter {
 public:
  void reset(double offset, double offset_variance, double frequency, double frequency_variance);

  // Propagates over `dt` seconds: `slew` was removed from the offset at the start and
  // `applied_frequency` was in effect throughout.
  void predict(double dt, double applied_frequency, double slew, const ClockNoise& noise);

  struct Innovation {
    double value = 0.0;
    double variance = 0.0;
  };
  Innovation innovation(double measured_offset, double measurement_variance) const;
  // The clock was stepped: the offset moves by `change`; what is known of it stays.
  void shift(double change) { offset_ += change; }
  void update(double measured_offset, double measurement_variance);

  double offset() const { return offset_; }
  double frequency() const { return frequency_; }
  double offset_variance() const { return p00_; }
  double frequency_variance() const { return p11_; }

 private:
  double offset_ = 0.0;
  double frequency_ = 0.0;
  double p00_ = 0.0;
  double p01_ = 0.0;
  double p11_ = 0.0;
};

}  // namespace stratumd
