#include "firmware/clock/clock_model.hpp"

#include <algorithm>
#include <cmath>

namespace stratumd {

std::int64_t ClockModel::unleaped_ns_at(RawTime raw) const {
  const std::int64_t dt = raw.time_since_epoch().count() - raw_reference_ns_;
  const std::int64_t slewing =
      std::clamp<std::int64_t>(slew_end_ns_ - raw_reference_ns_, 0, std::max<std::int64_t>(dt, 0));
  const double correction =
      static_cast<double>(dt) * frequency_ + static_cast<double>(slewing) * slew_rate_;
  return utc_reference_ns_ + dt + std::llround(correction);
}

UtcTime ClockModel::utc_at(RawTime raw) const {
  const std::int64_t t = unleaped_ns_at(raw);
  const bool leapt = leap_step_ns_ != 0 && t >= leap_at_ns_;
  return UtcTime{Nanoseconds{leapt ? t + leap_step_ns_ : t}};
}

UtcTime ClockModel::served_at(RawTime raw) const {
  const std::int64_t t = unleaped_ns_at(raw);
  if (leap_step_ns_ == 0) return UtcTime{Nanoseconds{t}};
  if (t >= leap_at_ns_) return UtcTime{Nanoseconds{t + leap_step_ns_}};
  if (t <= smear_start_ns_) return UtcTime{Nanoseconds{t}};
  const double fraction =
      static_cast<double>(t - smear_start_ns_) / static_cast<double>(leap_at_ns_ - smear_start_ns_);
  return UtcTime{Nanoseconds{t + std::llround(fraction * static_cast<double>(leap_step_ns_))}};
}

void ClockModel::rebase(RawTime raw_now) {
  const std::int64_t t = unleaped_ns_at(raw_now);
  if (leap_step_ns_ != 0 && t >= leap_at_ns_) {
    // The leap is behind us: fold it into the reference, as the kernel's clock keeps it.
    utc_reference_ns_ = t + leap_step_ns_;
    clear_leap();
  } else {
    utc_reference_ns_ = t;
  }
  raw_reference_ns_ = raw_now.time_since_epoch().count();
  if (slew_end_ns_ <= raw_reference_ns_) slew_rate_ = 0.0;
}

void ClockModel::schedule_leap(RawTime raw_now, UtcTime at, Nanoseconds step, Nanoseconds smear) {
  rebase(raw_now);
  leap_at_ns_ = at.time_since_epoch().count();
  leap_step_ns_ = step.count();
  smear_start_ns_ = leap_at_ns_ - std::max<std::int64_t>(0, smear.count());
}

void ClockModel::cancel_leap(RawTime raw_now) {
  rebase(raw_now);
  clear_leap();
}

void ClockModel::clear_leap() {
  leap_at_ns_ = 0;
  leap_step_ns_ = 0;
  smear_start_ns_ = 0;
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

void ClockModel::slew(RawTime raw_now, Nanoseconds offset, Nanoseconds duration) {
  rebase(raw_now);
  if (offset.count() == 0) {
    slew_rate_ = 0.0;
    slew_end_ns_ = raw_reference_ns_;
    return;
  }
  // Replace the slew in progress (as adjtime does): the caller's offset is measured against the
  // clock as it reads now, which already includes what was slewed so far.
  const double seconds =
      std::max(to_seconds(duration), std::abs(to_seconds(offset)) / kMaxSlewRate);
  slew_end_ns_ = raw_reference_ns_ + std::max<std::int64_t>(1, std::llround(seconds * 1e9));
  // The rate from the rounded duration, so the slew adds up to exactly `offset`.
  slew_rate_ =
      static_cast<double>(offset.count()) / static_cast<double>(slew_end_ns_ - raw_reference_ns_);
}

}  // namespace stratumd
