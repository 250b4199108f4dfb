#include "drivers/sim/drifting_timebase.hpp"

#include <cmath>
#include <numbers>

namespace stratumd {

DriftingTimebase::DriftingTimebase(const RawTimebase& base, DriftParams params)
    : base_(base), params_(params), origin_(base.raw_now()) {}

RawTime DriftingTimebase::distort(RawTime base_reading) const {
  const double t = to_seconds(base_reading - origin_);
  const double omega = 2.0 * std::numbers::pi / params_.wander_period_s;
  // Phase = integral of (error + wander * sin(omega t)).
  const double extra_seconds = params_.frequency_error_ppm * 1e-6 * t +
                               params_.wander_ppm * 1e-6 * (1.0 - std::cos(omega * t)) / omega;
  return base_reading + from_seconds(extra_seconds);
}

double DriftingTimebase::frequency_error_ppm(RawTime base_reading) const {
  const double t = to_seconds(base_reading - origin_);
  return params_.frequency_error_ppm +
         params_.wander_ppm * std::sin(2.0 * std::numbers::pi * t / params_.wander_period_s);
}

}  // namespace stratumd
