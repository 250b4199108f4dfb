// Measures the white phase noise of a sample stream (the "R" a Kalman filter needs) from the
// free-running phase steps between consecutive samples: white phase noise of variance R makes
// consecutive steps covary by exactly -R, while white frequency noise adds no covariance and a
// residual frequency error only a constant (removed with the mean). So the estimate is not fooled
// by an oscillator that wanders, which a plain variance would be. Fixed memory, no allocation.
#pragma once

#include <array>
#include <optional>

namespace stratumd {

class PhaseNoiseEstimator {
 public:
  // `step`: the change of free-running phase since the previous sample, s. `adjacent`: false when
  // samples were missed or the phase was set in between (the pair would mean nothing).
  void add(double step, bool adjacent);
  // nullopt until enough pairs were seen.
  std::optional<double> variance() const;
  void forget_previous() { previous_.reset(); }

 private:
  static constexpr int kWindow = 512;
  static constexpr int kMinimumPairs = 16;
  struct Pair {
    double earlier = 0.0;
    double later = 0.0;
  };
  void recompute_sums();

  std::array<Pair, kWindow> pairs_{};
  int count_ = 0;
  int next_ = 0;
  int since_recompute_ = 0;
  double sum_earlier_ = 0.0;
  double sum_later_ = 0.0;
  double sum_product_ = 0.0;
  std::optional<double> previous_;
};

}  // namespace stratumd
