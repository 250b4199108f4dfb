// The clock the daemon disciplines and serves. The discipline steers it through this interface
// only; whether it is the kernel's clock, an in-process virtual clock or a simulated oscillator is
// decided at wiring time (chrony's LCL/SYS split).
#pragma once

#include <optional>

#include "firmware/clock/clock_model.hpp"
#include "firmware/clock/correction_ledger.hpp"
#include "firmware/time/time_types.hpp"

namespace stratumd {

// The clock's next leap: at `at` (as the clock reads) it steps one second backwards (`direction`
// +1: an insertion, 23:59:59 repeats) or forwards (-1: a deletion, 23:59:59 is skipped).
struct LeapEvent {
  UtcTime at{};
  int direction = 0;

  bool operator==(const LeapEvent&) const = default;
  Nanoseconds step() const { return std::chrono::seconds{-direction}; }
};

// The kernel's frequency unit (ADJ_FREQUENCY): ppm scaled by 2^16.
inline constexpr double kKernelFrequencyQuantumPpm = 1.0 / 65536.0;

// Two units of frequency correction: Clock::set_frequency's, against the oscillator (as the
// kernel's ADJ_FREQUENCY), and the ledger's, per second of the clock's own reading. At 50 ppm
// they differ by 2.5 ppb, which is 9 us after an hour of holdover.
inline double ledger_rate_from_ppm(double ppm) {
  const double f = ppm * 1e-6;
  return f / (1.0 + f);
}
inline double ppm_from_ledger_rate(double rate) {
  return rate / (1.0 - rate) * 1e6;
}

class Clock {
 public:
  virtual ~Clock() = default;

  virtual UtcTime now() const = 0;
  // Absolute frequency correction, like ADJ_FREQUENCY; takes effect at once.
  virtual void set_frequency(double ppm) = 0;
  // The frequency last set (a slew in progress not included).
  virtual double frequency_ppm() const = 0;
  // Gradual phase correction: for `duration` the clock runs offset/duration faster than the
  // frequency set, as chronyd slews (the rate is capped at kMaxSlewRate, which makes a large
  // slew take longer). Replaces a slew in progress.
  virtual void slew(Nanoseconds offset, Nanoseconds duration) = 0;
  virtual void step(Nanoseconds offset) = 0;
  // Every frequency and slew the clock has applied, when it applied it (steps excepted).
  virtual const CorrectionLedger& corrections() const = 0;
  // A clock that must be called to end its slews (the kernel's clock) says when; service()
  // ends what is due. Others end their slews by themselves.
  virtual std::optional<UtcTime> service_due() const { return std::nullopt; }
  virtual void service() {}
  // Arms (or with nullopt disarms) the next leap second. `smear` > 0 asks for the step to be
  // spread over that long before the leap in the time served to clients; false when this clock
  // cannot (the kernel's leaps unsmeared).
  virtual bool arm_leap(std::optional<LeapEvent> leap, Nanoseconds smear) = 0;

  // The raw-to-served mapping as of now, for lock-free readers in other threads that read the
  // same raw timebase.
  virtual ClockModel model() const = 0;
};

}  // namespace stratumd
