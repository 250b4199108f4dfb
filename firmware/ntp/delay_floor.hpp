// The least round-trip delay a path has shown lately, and what a sample's delay above it says
// about that sample's error. Queueing only ever adds delay, so the least delay of recent samples
// is the path's own; a sample that took D longer was held up D in total on its two legs, in an
// unknown split, so its offset is off by up to D/2 (chrony's sourcestats weights samples by this
// excess too). With the split uniform over [0, D], as independent exponential queueing delays
// give, the offset error is uniform over [-D/2, D/2]: variance D^2/12. Pure, fixed memory.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>

namespace stratumd {

class DelayFloor {
 public:
  // Recent enough to follow a path that changed (a new route), long enough to have seen a sample
  // that was hardly queued: 32 polls.
  static constexpr std::size_t kWindow = 32;
  // How late the least of the window still is, as a share of its median excess: for two legs of
  // exponential queueing, the least of 32 round trips is about an eighth of the median's excess
  // above the path's true minimum.
  static constexpr double kLeastShareOfSpread = 0.125;

  void add(double delay) {
    delays_[next_] = delay;
    next_ = (next_ + 1) % kWindow;
    count_ = std::min(count_ + 1, kWindow);
  }
  std::size_t count() const { return count_; }
  // The least delay of the window (0 before any sample).
  double least() const {
    if (count_ == 0) return 0.0;
    return *std::min_element(delays_.begin(), delays_.begin() + static_cast<long>(count_));
  }
  // The median delay of the window above its least.
  double median_excess() const {
    if (count_ == 0) return 0.0;
    std::array<double, kWindow> sorted = delays_;
    const auto end = sorted.begin() + static_cast<long>(count_);
    std::nth_element(sorted.begin(), sorted.begin() + static_cast<long>(count_ / 2), end);
    return sorted[count_ / 2] - least();
  }
  // s^2: the offset error variance of a sample with `delay`, beyond `floor_variance` (what a
  // sample with no excess still carries: stamping, the server's own noise).
  double variance(double delay, double floor_variance) const {
    const double excess = std::max(0.0, delay - least());
    return excess * excess / 12.0 + floor_variance;
  }
  // s^2: the variance of the newest sample (`delay`, already added), over `least_noise` (s: the
  // stamping of both hosts). A sample as fast as the window's least still carries that, and the
  // least itself was queued a little: its share of the delays' spread, or, while the window holds
  // few samples, a share of the least delay itself (one sample is off by up to half its delay,
  // RFC 5905's bound; the least of n by about 1/n of that).
  double sample_variance(double delay, double least_noise) const {
    const double floor =
        std::max({least_noise, kLeastShareOfSpread * median_excess(),
                  least() / (2.0 * static_cast<double>(std::max<std::size_t>(count_, 1)))});
    return variance(delay, floor * floor);
  }

 private:
  std::array<double, kWindow> delays_{};
  std::size_t next_ = 0;
  std::size_t count_ = 0;
};

}  // namespace stratumd
