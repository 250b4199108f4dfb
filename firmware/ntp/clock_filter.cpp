#include "firmware/ntp/clock_filter.hpp"

#include <algorithm>
#include <cmath>

namespace stratumd {
namespace {

constexpr double kPhi = 15e-6;
constexpr double kMaxDispersion = 16.0;

}  // namespace

FilterOutput ClockFilter::add(const FilterSample& sample, double precision) {
  // Shift in; the oldest falls out.
  for (std::size_t i = kStages - 1; i > 0; --i) stages_[i] = stages_[i - 1];
  stages_[0] = sample;
  count_ = std::min(count_ + 1, kStages);

  // Age every stage's dispersion to now, then order by delay (lowest first).
  std::array<FilterSample, kStages> sorted{};
  for (std::size_t i = 0; i < count_; ++i) {
    sorted[i] = stages_[i];
    sorted[i].dispersion = std::min(
        kMaxDispersion, stages_[i].dispersion + kPhi * to_seconds(sample.when - stages_[i].when));
  }
  std::stable_sort(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(count_),
                   [](const FilterSample& a, const FilterSample& b) { return a.delay < b.delay; });

  FilterOutput out;
  out.chosen = sorted[0];
  for (std::size_t i = 0; i < kStages; ++i) {
    const double d = i < count_ ? sorted[i].dispersion : kMaxDispersion;
    out.dispersion += d / std::ldexp(1.0, static_cast<int>(i) + 1);
  }
  double squares = 0.0;
  for (std::size_t i = 1; i < count_; ++i)
    squares += std::pow(sorted[i].offset - sorted[0].offset, 2);
  out.jitter =
      std::max(count_ > 1 ? std::sqrt(squares / static_cast<double>(count_ - 1)) : 0.0, precision);
  fit_trend(out);
  // An older sample than the one last used would move the clock backwards in its own history.
  out.fresh = !last_used_ || out.chosen.when > *last_used_;
  if (out.fresh) last_used_ = out.chosen.when;
  return out;
}

void ClockFilter::fit_trend(FilterOutput& out) const {
  const FilterSample& newest = stages_[0];
  out.trend_at = newest.when;
  out.trend_offset = newest.offset;
  if (count_ < 3) return;
  double st = 0.0, sx = 0.0, stt = 0.0, stx = 0.0;
  const double n = static_cast<double>(count_);
  for (std::size_t i = 0; i < count_; ++i) {
    const double t = to_seconds(stages_[i].when - newest.when);
    st += t;
    sx += stages_[i].offset;
    stt += t * t;
    stx += t * stages_[i].offset;
  }
  const double spread = n * stt - st * st;
  if (spread <= 0.0) return;
  out.trend_slope = (n * stx - st * sx) / spread;
  out.trend_offset = (sx - out.trend_slope * st) / n;
  double squares = 0.0;
  for (std::size_t i = 0; i < count_; ++i) {
    const double t = to_seconds(stages_[i].when - newest.when);
    squares += std::pow(stages_[i].offset - out.trend_offset - out.trend_slope * t, 2);
  }
  out.trend_residual = std::sqrt(squares / (n - 2.0));
}

void ClockFilter::shift(Nanoseconds step) {
  for (std::size_t i = 0; i < count_; ++i) shift_sample(stages_[i], step);
  if (last_used_) *last_used_ += step;
}

void shift_sample(FilterSample& sample, Nanoseconds step) {
  sample.offset -= to_seconds(step);
  sample.when += step;
}

}  // namespace stratumd
