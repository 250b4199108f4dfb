// A simulated board oscillator on top of a real counter: a constant frequency error plus a slow
// temperature-like wander. A pure function of the underlying reading, so any thread may read it.
#pragma once

#include "firmware/clock/raw_timebase.hpp"

namespace stratumd {

struct DriftParams {
  double frequency_error_ppm = 17.5;  // a typical Raspberry Pi crystal
  double wander_ppm = 0.3;            // amplitude of the temperature swing
  double wander_period_s = 900.0;
};

class DriftingTimebase final : public RawTimebase {
 public:
  DriftingTimebase(const RawTimebase& base, DriftParams params);
  RawTime raw_now() const override { return distort(base_.raw_now()); }

  // The oscillator's frequency error at a given underlying reading, in ppm (for status/tests).
  double frequency_error_ppm(RawTime base_reading) const;
  RawTime distort(RawTime base_reading) const;

 private:
  const RawTimebase& base_;
  DriftParams params_;
  RawTime origin_;
};

}  // namespace stratumd
