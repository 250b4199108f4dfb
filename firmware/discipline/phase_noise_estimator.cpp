#include "firmware/discipline/phase_noise_estimator.hpp"

#include <algorithm>

namespace stratumd {
namespace {

constexpr double kMinimumVariance = 1e-18;  // 1 ns: below our timestamps' resolution

}  // namespace

void PhaseNoiseEstimator::add(double step, bool adjacent) {
  if (!adjacent) previous_.reset();
  if (previous_) {
    if (count_ == kWindow) {
      const Pair& old = pairs_[next_];
      sum_earlier_ -= old.earlier;
      sum_later_ -= old.later;
      sum_product_ -= old.earlier * old.later;
    }
    pairs_[next_] = {*previous_, step};
    sum_earlier_ += *previous_;
    sum_later_ += step;
    sum_product_ += *previous_ * step;
    next_ = (next_ + 1) % kWindow;
    count_ = std::min(count_ + 1, kWindow);
    // Running sums drift by rounding once large early steps have left the window.
    if (++since_recompute_ == kWindow) recompute_sums();
  }
  previous_ = step;
}

void PhaseNoiseEstimator::recompute_sums() {
  sum_earlier_ = sum_later_ = sum_product_ = 0.0;
  for (int i = 0; i < count_; ++i) {
    sum_earlier_ += pairs_[i].earlier;
    sum_later_ += pairs_[i].later;
    sum_product_ += pairs_[i].earlier * pairs_[i].later;
  }
  since_recompute_ = 0;
}

std::optional<double> PhaseNoiseEstimator::variance() const {
  if (count_ < kMinimumPairs) return std::nullopt;
  const double n = count_;
  const double covariance = sum_product_ / n - (sum_earlier_ / n) * (sum_later_ / n);
  return std::max(kMinimumVariance, -covariance);
}

}  // namespace stratumd
