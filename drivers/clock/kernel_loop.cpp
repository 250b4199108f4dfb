#include "drivers/clock/kernel_loop.hpp"

#include <sys/timex.h>

#include <array>
#include <utility>

namespace stratumd {
namespace {

// The kernel's frequencies are ppm scaled by 2^16 (in timex fields that are 64-bit with 64-bit
// time on 32-bit ARM).
double ppm(std::int64_t scaled) {
  return static_cast<double>(scaled) / 65536.0;
}

std::string status_flags(int status) {
  static constexpr std::array<std::pair<int, const char*>, 16> kNames{{
      {STA_PLL, "pll"},
      {STA_PPSFREQ, "ppsfreq"},
      {STA_PPSTIME, "ppstime"},
      {STA_FLL, "fll"},
      {STA_INS, "ins"},
      {STA_DEL, "del"},
      {STA_UNSYNC, "unsync"},
      {STA_FREQHOLD, "freqhold"},
      {STA_PPSSIGNAL, "ppssignal"},
      {STA_PPSJITTER, "ppsjitter"},
      {STA_PPSWANDER, "ppswander"},
      {STA_PPSERROR, "ppserror"},
      {STA_CLOCKERR, "clockerr"},
      {STA_NANO, "nano"},
      {STA_MODE, "mode=fll"},
      {STA_CLK, "src=B"},
  }};
  std::string out;
  for (const auto& [bit, name] : kNames) {
    if (status & bit) out += (out.empty() ? "" : " ") + std::string(name);
  }
  return out;
}

}  // namespace

std::optional<KernelLoopState> read_kernel_loop() {
  timex tx{};
  if (::adjtimex(&tx) < 0) return std::nullopt;
  // Offsets and jitter are in ns with STA_NANO, else us.
  const double to_ms = (tx.status & STA_NANO) ? 1e-6 : 1e-3;
  KernelLoopState k;
  k.offset_ms = static_cast<double>(tx.offset) * to_ms;
  k.frequency_ppm = ppm(tx.freq);
  k.max_error_ms = static_cast<double>(tx.maxerror) * 1e-3;  // always us
  k.estimated_error_ms = static_cast<double>(tx.esterror) * 1e-3;
  k.status_flags = status_flags(tx.status);
  k.time_constant = tx.constant;
  k.precision_ms = static_cast<double>(tx.precision) * 1e-3;
  k.tolerance_ppm = ppm(tx.tolerance);
  k.pps_frequency_ppm = ppm(tx.ppsfreq);
  k.pps_stability_ppm = ppm(tx.stabil);
  k.pps_jitter_ms = static_cast<double>(tx.jitter) * to_ms;
  k.pps_calibration_interval = std::int64_t{1} << tx.shift;
  k.pps_calibrations = tx.calcnt;
  k.pps_jitter_exceeded = tx.jitcnt;
  k.pps_stability_exceeded = tx.stbcnt;
  k.pps_calibration_errors = tx.errcnt;
  return k;
}

}  // namespace stratumd
