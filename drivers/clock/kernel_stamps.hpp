// Carries a stamp the kernel took on one of its clocks (CLOCK_REALTIME: kernel PPS, SHM, gpsd,
// DCD; CLOCK_MONOTONIC: GPIO events) onto the served clock: the one place where that is done.
// The stamp's age on the kernel clock is scaled by the measured rate of the served clock against
// that kernel clock. When the served clock is the kernel's own (SystemClock), that rate is
// exactly 1; when it is the virtual clock (-x), CLOCK_REALTIME runs at whatever rate someone else
// (or no one) gave it, and an SHM sample read 0.4 s after its stamp on a clock 50 ppm off would
// otherwise be 20 us wrong.
// Used from the event loop's thread only.
#pragma once

#include <time.h>

#include <functional>
#include <optional>

#include "firmware/clock/clock.hpp"

namespace stratumd {

class KernelStamps {
 public:
  KernelStamps(const Clock& served, clockid_t kernel_clock);
  // The kernel clock as a function (tests: a simulated one).
  KernelStamps(const Clock& served, std::function<Nanoseconds()> kernel_now)
      : served_(served), kernel_now_(std::move(kernel_now)) {}

  // `stamp` was read on the kernel clock, in the past or now.
  UtcTime to_served(Nanoseconds stamp) const;
  UtcTime to_served(KernelRealtime stamp) const { return to_served(stamp.time_since_epoch()); }

  // Served seconds per kernel-clock second, minus one, as measured so far (0 until measured).
  double rate() const { return rate_; }

 private:
  struct Pair {
    Nanoseconds kernel{0};
    UtcTime served{};
  };
  Pair read_both() const;

  const Clock& served_;
  std::function<Nanoseconds()> kernel_now_;
  mutable std::optional<Pair> reference_;
  mutable double rate_ = 0.0;
  mutable bool rate_measured_ = false;
};

}  // namespace stratumd
