// The kernel's clock (CLOCK_REALTIME) steered through clock_adjtime(2), as ntpd and chronyd do:
// ADJ_FREQUENCY for the frequency, ADJ_SETOFFSET for steps, ADJ_OFFSET_SINGLESHOT (adjtime's
// bounded 500 ppm slew) for phase, STA_INS/STA_DEL for leap seconds, and the STA_UNSYNC, maxerror
// and esterror fields other programs (timedatectl, the RTC sync) read. Needs CAP_SYS_TIME; the
// daemon falls back to the virtual clock without it.
#pragma once

#include "firmware/clock/clock.hpp"
#include "firmware/clock/raw_timebase.hpp"

namespace stratumd {

// CLOCK_REALTIME as the raw timebase: served time is the kernel's time, the model is identity.
class RealtimeTimebase final : public RawTimebase {
 public:
  RawTime raw_now() const override;
};

class SystemClock final : public Clock {
 public:
  // Reads the kernel's frequency; throws std::system_error when clock_adjtime fails.
  SystemClock();

  // Whether this process may steer the clock: a set of the frequency to its current value.
  static bool can_steer();

  UtcTime now() const override;
  void set_frequency(double ppm) override;
  double frequency_ppm() const override { return frequency_ppm_; }
  void slew(Nanoseconds offset) override;
  void step(Nanoseconds offset) override;
  bool arm_leap(std::optional<LeapEvent> leap, Nanoseconds smear) override;
  ClockModel model() const override { return ClockModel{}; }

  // The kernel's own PPS loop (hardpps) steers phase and frequency from a bound PPS device.
  void set_kernel_pps_discipline(bool on);

  // Tells the kernel (and through it timedatectl and the RTC sync) whether the clock is
  // synchronised and how far off it may be.
  void report_synchronisation(bool synchronised, Nanoseconds estimated_error,
                              Nanoseconds maximum_error);

 private:
  double frequency_ppm_ = 0.0;
  // adjtime slews whole microseconds: the remainder is carried into the next slew.
  double slew_remainder_us_ = 0.0;
};

}  // namespace stratumd
