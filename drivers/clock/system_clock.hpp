// The kernel's clock (CLOCK_REALTIME) steered through clock_adjtime(2), as ntpd and chronyd do:
// ADJ_FREQUENCY for the frequency, ADJ_SETOFFSET for steps, STA_INS/STA_DEL for leap seconds, and
// the STA_UNSYNC, maxerror and esterror fields other programs (timedatectl, the RTC sync) read.
// Needs CAP_SYS_TIME; the daemon falls back to the virtual clock without it. Phase is slewed as
// chronyd does, through a temporary frequency offset that the daemon ends at the time service_due()
// names — not with ADJ_OFFSET_SINGLESHOT, which the kernel applies from its next second boundary,
// at most 500 us/s, in whole microseconds: a delay and a rounding no servo could see. ADJ_FREQUENCY
// takes effect at once in 2^-16 ppm steps, and every change is entered in the ledger at the moment
// it was made, so the servo knows exactly what was applied.
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
  // Ends a slew in progress: the kernel would otherwise keep its rate after we are gone.
  ~SystemClock() override;
  SystemClock(const SystemClock&) = delete;
  SystemClock& operator=(const SystemClock&) = delete;

  // Whether this process may steer the clock: a set of the frequency to its current value.
  static bool can_steer();

  UtcTime now() const override;
  void set_frequency(double ppm) override;
  double frequency_ppm() const override { return frequency_ppm_; }
  void slew(Nanoseconds offset, Nanoseconds duration) override;
  void step(Nanoseconds offset) override;
  bool arm_leap(std::optional<LeapEvent> leap, Nanoseconds smear) override;
  ClockModel model() const override { return ClockModel{}; }
  const CorrectionLedger& corrections() const override { return ledger_; }
  std::optional<UtcTime> service_due() const override { return slew_end_; }
  void service() override;

  // The kernel's own PPS loop (hardpps) steers phase and frequency from a bound PPS device.
  void set_kernel_pps_discipline(bool on);

  // Tells the kernel (and through it timedatectl and the RTC sync) whether the clock is
  // synchronised and how far off it may be.
  void report_synchronisation(bool synchronised, Nanoseconds estimated_error,
                              Nanoseconds maximum_error);

 private:
  // Sets the kernel's frequency to the frequency plus the slew in progress.
  void apply_rate();

  double frequency_ppm_ = 0.0;  // as the kernel holds it: quantised
  double slew_rate_ = 0.0;      // s/s on top of the frequency until slew_end_
  std::optional<UtcTime> slew_end_;
  bool took_over_ = false;
  CorrectionLedger ledger_;
};

}  // namespace stratumd
