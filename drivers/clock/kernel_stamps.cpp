#include "drivers/clock/kernel_stamps.hpp"

#include <cmath>

#include "drivers/clock/kernel_clocks.hpp"

namespace stratumd {
namespace {

// The rate is measured over at least this long: clock-read jitter of 100 ns is then 6 ppb.
constexpr Nanoseconds kRateInterval = std::chrono::seconds{16};
// A larger difference is not a rate but a step of one of the clocks: measured afresh.
constexpr double kMaxRate = 1e-3;

}  // namespace

KernelStamps::KernelStamps(const Clock& served, clockid_t kernel_clock)
    : KernelStamps(served, [kernel_clock] { return Nanoseconds{read_clock_ns(kernel_clock)}; }) {}

KernelStamps::Pair KernelStamps::read_both() const {
  // The kernel clock read on both sides of the served one: their mean is when it was read.
  const Nanoseconds before = kernel_now_();
  const UtcTime served = served_.now();
  const Nanoseconds after = kernel_now_();
  return {before + (after - before) / 2, served};
}

UtcTime KernelStamps::to_served(Nanoseconds stamp) const {
  const Pair now = read_both();
  if (!reference_) {
    reference_ = now;
  } else if (now.kernel - reference_->kernel >= kRateInterval) {
    const double kernel_elapsed = to_seconds(now.kernel - reference_->kernel);
    const double measured = to_seconds(now.served - reference_->served) / kernel_elapsed - 1.0;
    if (std::abs(measured) < kMaxRate) {
      // The served clock's rate moves with its corrections: follow, with some smoothing.
      rate_ = rate_measured_ ? rate_ + 0.5 * (measured - rate_) : measured;
      rate_measured_ = true;
    }
    reference_ = now;
  } else if (now.kernel < reference_->kernel) {
    reference_ = now;  // the kernel clock was stepped back
  }
  const Nanoseconds age = now.kernel - stamp;
  return now.served - Nanoseconds{std::llround(static_cast<double>(age.count()) * (1.0 + rate_))};
}

}  // namespace stratumd
