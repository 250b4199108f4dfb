#include "firmware/clock/clock_model.hpp"

#include <algorithm>
#include <cmath>

namespace stratumd {

UtcTime ClockModel::utc_at(RawTime raw) const {
  const std::int64_t dt = raw.time_since_epoch().count() - raw_reference_ns_;
  const std::int64_t slewing =
      std::clamp<std::int64_t>(slew_end_ns_ - raw_reference_ns_, 0, std::max<std::int64_t>(dt, 0));
  const double correction =
      static_cast<double>(dt) * frequency_ + static_cast<double>(slewing) * slew_rate_;
  return UtcTime{Nanoseconds{utc_reference_ns_ + dt + std::llround(correction)}};
}

void ClockModel::rebase(RawTime raw_now) {
  utc_reference_ns_ = utc_at(raw_now).time_since_epoch().count();
  raw_reference_ns_ = raw_now.time_since_epoch().count();
  if (slew_end_ns_ <= raw_reference_ns_) slew_rate_ = 0.0;
}

Nanoseconds ClockModel::remaining_slew(RawTime raw_now) const {
  const std::int64_t left =
      slew_end_ns_ - std::max(raw_now.time_since_epoch().count(), raw_reference_ns_);
  if (left <= 0) return Nanoseconds{0};
  return Nanoseconds{std::llround(static_cast<double>(left) * slew_rate_)};
}

void ClockModel::step(RawTime raw_now, Nanoseconds offset) {
  rebase(raw_now);
  utc_reference_ns_ += offset.count();
  slew_rate_ = 0.0;  // a step supersedes any slew in progress
  slew_end_ns_ = raw_reference_ns_;
}

void ClockModel::set_frequency(RawTime raw_now, double frequency_ppm) {
  rebase(raw_now);
  frequency_ = frequency_ppm * 1e-6;
}

void ClockModel::slew(RawTime raw_now, Nanoseconds offset) {
  rebase(raw_now);
  if (offset.count() == 0) {
    slew_rate_ = 0.0;
    slew_end_ns_ = raw_reference_ns_;
    return;
  }
  // Replace the slew in progress (as adjtime does): the caller's offset is measured against the
  // clock as it reads now, which already includes what was slewed so far.
  const double seconds = std::abs(to_seconds(offset)) / kMaxSlewRate;
  slew_end_ns_ = raw_reference_ns_ + std::max<std::int64_t>(1, std::llround(seconds * 1e9));
  // The rate from the rounded duration, so the slew adds up to exactly `offset`.
  slew_rate_ =
      static_cast<double>(offset.count()) / static_cast<double>(slew_end_ns_ - raw_reference_ns_);
}

}  // namespace stratumd
