// A disciplined clock kept inside the daemon: CLOCK_MONOTONIC_RAW (or a simulated oscillator)
// plus the daemon's own offset/frequency model. It lets stratumd serve disciplined time without
// the privilege to steer the kernel clock (chrony's -x).
#pragma once

#include "firmware/clock/clock.hpp"
#include "firmware/clock/raw_timebase.hpp"

namespace stratumd {

class VirtualClock final : public Clock {
 public:
  VirtualClock(const RawTimebase& timebase, UtcTime initial)
      : timebase_(timebase), model_(timebase.raw_now(), initial) {}

  UtcTime now() const override { return model_.utc_at(timebase_.raw_now()); }
  void set_frequency(double ppm) override { model_.set_frequency(timebase_.raw_now(), ppm); }
  double frequency_ppm() const override { return model_.frequency_ppm(); }
  void slew(Nanoseconds offset) override { model_.slew(timebase_.raw_now(), offset); }
  void step(Nanoseconds offset) override { model_.step(timebase_.raw_now(), offset); }
  bool arm_leap(std::optional<LeapEvent> leap, Nanoseconds smear) override {
    if (leap) {
      model_.schedule_leap(timebase_.raw_now(), leap->at, leap->step(), smear);
    } else {
      model_.cancel_leap(timebase_.raw_now());
    }
    return true;
  }
  ClockModel model() const override { return model_; }

  const RawTimebase& timebase() const { return timebase_; }

 private:
  const RawTimebase& timebase_;
  ClockModel model_;
};

}  // namespace stratumd
