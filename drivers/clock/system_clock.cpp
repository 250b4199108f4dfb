#include "drivers/clock/system_clock.hpp"

#include <sys/timex.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <system_error>

#include "drivers/clock/kernel_clocks.hpp"

namespace stratumd {
namespace {

// The kernel's frequency unit: ppm scaled by 2^16.
constexpr double kFrequencyScale = 65536.0;

timex adjust(timex tx) {
  if (::clock_adjtime(CLOCK_REALTIME, &tx) < 0) {
    throw std::system_error(errno, std::generic_category(), "clock_adjtime");
  }
  return tx;
}

}  // namespace

RawTime RealtimeTimebase::raw_now() const {
  return RawTime{Nanoseconds{read_clock_ns(CLOCK_REALTIME)}};
}

SystemClock::SystemClock() {
  const timex current = adjust(timex{});
  frequency_ppm_ = static_cast<double>(current.freq) / kFrequencyScale;
}

bool SystemClock::can_steer() {
  timex tx{};
  if (::clock_adjtime(CLOCK_REALTIME, &tx) < 0) return false;
  tx.modes = ADJ_FREQUENCY;  // to the value it has: a change of nothing
  return ::clock_adjtime(CLOCK_REALTIME, &tx) >= 0;
}

UtcTime SystemClock::now() const {
  return UtcTime{Nanoseconds{read_clock_ns(CLOCK_REALTIME)}};
}

void SystemClock::set_frequency(double ppm) {
  ppm = std::clamp(ppm, -500.0, 500.0);
  timex tx{};
  tx.modes = ADJ_FREQUENCY;
  tx.freq = static_cast<long>(std::llround(ppm * kFrequencyScale));
  adjust(tx);
  frequency_ppm_ = ppm;
}

void SystemClock::slew(Nanoseconds offset) {
  const double wanted_us = static_cast<double>(offset.count()) / 1e3 + slew_remainder_us_;
  const double whole_us = std::round(wanted_us);
  slew_remainder_us_ = wanted_us - whole_us;
  timex tx{};
  tx.modes = ADJ_OFFSET_SINGLESHOT;
  tx.offset = static_cast<long>(whole_us);
  adjust(tx);
}

void SystemClock::step(Nanoseconds offset) {
  timex tx{};
  tx.modes = ADJ_SETOFFSET | ADJ_NANO;
  // The kernel wants a normalised timeval whose "microseconds" hold nanoseconds with ADJ_NANO.
  std::int64_t seconds = offset.count() / 1'000'000'000;
  std::int64_t nanoseconds = offset.count() % 1'000'000'000;
  if (nanoseconds < 0) {
    nanoseconds += 1'000'000'000;
    --seconds;
  }
  tx.time.tv_sec = static_cast<time_t>(seconds);
  tx.time.tv_usec = static_cast<suseconds_t>(nanoseconds);
  adjust(tx);
  slew_remainder_us_ = 0.0;
}

bool SystemClock::arm_leap(std::optional<LeapEvent> leap, Nanoseconds smear) {
  timex tx = adjust(timex{});
  tx.modes = ADJ_STATUS;
  tx.status &= ~(STA_INS | STA_DEL);
  if (leap) tx.status |= leap->direction > 0 ? STA_INS : STA_DEL;
  adjust(tx);
  return smear.count() == 0;  // the kernel leaps at midnight; it cannot smear
}

void SystemClock::set_kernel_pps_discipline(bool on) {
  timex tx = adjust(timex{});
  tx.modes = ADJ_STATUS;
  constexpr int kKernelPps = STA_PLL | STA_PPSFREQ | STA_PPSTIME;
  if (on) {
    tx.status |= kKernelPps;
  } else {
    tx.status &= ~kKernelPps;
  }
  adjust(tx);
}

void SystemClock::report_synchronisation(bool synchronised, Nanoseconds estimated_error,
                                         Nanoseconds maximum_error) {
  timex tx = adjust(timex{});
  tx.modes = ADJ_STATUS | ADJ_ESTERROR | ADJ_MAXERROR;
  if (synchronised) {
    tx.status &= ~STA_UNSYNC;
  } else {
    tx.status |= STA_UNSYNC;
  }
  tx.esterror =
      static_cast<long>(std::min<std::int64_t>(estimated_error.count() / 1000, 16'000'000));
  tx.maxerror = static_cast<long>(std::min<std::int64_t>(maximum_error.count() / 1000, 16'000'000));
  adjust(tx);
}

}  // namespace stratumd
