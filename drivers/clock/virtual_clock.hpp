// A disciplined clock kept inside the daemon: CLOCK_MONOTONIC_RAW (or a simulated oscillator)
// plus the daemon's own offset/frequency model. It lets stratumd serve disciplined time without
// the privilege to steer the kernel clock (chrony's -x).
#pragma once

#include "firmware/clock/modelled_clock.hpp"
#include "firmware/clock/raw_timebase.hpp"

namespace stratumd {

class VirtualClock final : public ModelledClock {
 public:
  VirtualClock(const RawTimebase& timebase, UtcTime initial)
      : ModelledClock(timebase.raw_now(), initial, 0.0), timebase_(timebase) {}

  const RawTimebase& timebase() const { return timebase_; }

 private:
  RawTime raw_now() const override { return timebase_.raw_now(); }

  const RawTimebase& timebase_;
};

}  // namespace stratumd
