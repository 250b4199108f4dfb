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

constexpr double kFrequencyScale = 1.0 / kKernelFrequencyQuantumPpm;
constexpr double kKernelMaxFrequencyPpm = 500.0;

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
  ledger_.restart(now(), ledger_rate_from_ppm(frequency_ppm_));
}

SystemClock::~SystemClock() {
  if (!slew_end_) return;
  timex tx{};
  tx.modes = ADJ_FREQUENCY;
  tx.freq = static_cast<long>(std::llround(frequency_ppm_ * kFrequencyScale));
  ::clock_adjtime(CLOCK_REALTIME, &tx);  // nothing to be done about a failure here
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

void SystemClock::apply_rate() {
  if (!took_over_) {
    // A slew left by adjtime() (another daemon, a former run) would run on unseen: cancelled
    // at our first correction (not before: reading the clock changes nothing).
    timex cancel{};
    cancel.modes = ADJ_OFFSET_SINGLESHOT;
    adjust(cancel);
    took_over_ = true;
  }
  const double total_ppm = std::clamp(frequency_ppm_ + slew_rate_ * 1e6, -kKernelMaxFrequencyPpm,
                                      kKernelMaxFrequencyPpm);
  timex tx{};
  tx.modes = ADJ_FREQUENCY;
  tx.freq = static_cast<long>(std::llround(total_ppm * kFrequencyScale));
  adjust(tx);
  // In effect from this moment, in the kernel's unit (relative to the uncorrected clock: per
  // second of the clock's own reading it is r / (1 + r)).
  ledger_.change(now(), ledger_rate_from_ppm(static_cast<double>(tx.freq) / kFrequencyScale));
}

void SystemClock::set_frequency(double ppm) {
  ppm = std::clamp(ppm, -kKernelMaxFrequencyPpm, kKernelMaxFrequencyPpm);
  frequency_ppm_ = std::round(ppm * kFrequencyScale) / kFrequencyScale;
  apply_rate();
}

void SystemClock::slew(Nanoseconds offset, Nanoseconds duration) {
  const double wanted = to_seconds(offset);
  // The kernel takes at most 500 ppm in all: a slew gets what the frequency leaves of it.
  const double headroom =
      (kKernelMaxFrequencyPpm - (wanted >= 0 ? frequency_ppm_ : -frequency_ppm_)) * 1e-6;
  const double rate_limit = std::min(kMaxSlewRate, headroom);
  if (wanted == 0.0 || rate_limit <= 1e-9) {
    slew_rate_ = 0.0;
    slew_end_.reset();
  } else {
    const double seconds = std::max(to_seconds(duration), std::abs(wanted) / rate_limit);
    slew_rate_ = wanted / seconds;
    slew_end_ = now() + from_seconds(seconds);
  }
  apply_rate();
}

void SystemClock::service() {
  // The loop's timer may run a little early or late: the ledger records when it really ended.
  if (!slew_end_ || now() < *slew_end_ - std::chrono::milliseconds{1}) return;
  slew_rate_ = 0.0;
  slew_end_.reset();
  apply_rate();
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
  if (slew_end_) {
    // A step supersedes the slew in progress.
    slew_rate_ = 0.0;
    slew_end_.reset();
    apply_rate();
  }
  ledger_.restart(now(), ledger_rate_from_ppm(frequency_ppm_));
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
