// The mapping from a free-running local counter (raw time) to served UTC time: an offset, a
// frequency correction and an in-progress slew. Pure arithmetic, trivially copyable, so the
// server threads can evaluate it from a published snapshot without touching the clock object.
#pragma once

#include <cstdint>

#include "firmware/time/time_types.hpp"

namespace stratumd {

// Like the kernel's adjtime(): a slew never runs faster than this, so served time stays monotonic
// and smooth for clients.
inline constexpr double kMaxSlewRate = 500e-6;

class ClockModel {
 public:
  ClockModel() = default;
  ClockModel(RawTime raw_reference, UtcTime utc_reference)
      : raw_reference_ns_(raw_reference.time_since_epoch().count()),
        utc_reference_ns_(utc_reference.time_since_epoch().count()) {}

  UtcTime utc_at(RawTime raw) const;

  // Each operation first folds the state up to `raw_now` into the reference point, so earlier
  // corrections are kept exactly.
  void step(RawTime raw_now, Nanoseconds offset);
  void set_frequency(RawTime raw_now, double frequency_ppm);
  // Adds `offset` over `duration` (longer when that would exceed kMaxSlewRate); replaces a slew
  // in progress.
  void slew(RawTime raw_now, Nanoseconds offset, Nanoseconds duration);

  // A leap second at `at` (as this model reads time): from then on the reading is `step` different
  // (minus a second for an insertion, plus one for a deletion). The kernel does the same at
  // midnight; here every reader sees it at exactly the right instant, lock-free. `smear` > 0
  // spreads the step over that long before `at` in served_at() only: clients that cannot take a
  // leap see a slightly slow (or fast) second instead, the disciplined clock itself still leaps.
  void schedule_leap(RawTime raw_now, UtcTime at, Nanoseconds step, Nanoseconds smear);
  // A leap already behind `raw_now` stays done.
  void cancel_leap(RawTime raw_now);
  bool leap_scheduled() const { return leap_step_ns_ != 0; }

  // Time as served to clients: utc_at() with the leap smear applied.
  UtcTime served_at(RawTime raw) const;

  double frequency_ppm() const { return frequency_ * 1e6; }
  // What is left of the current slew at `raw_now`.
  Nanoseconds remaining_slew(RawTime raw_now) const;
  // The current (or last) slew: its rate (s/s) and when it ends on the raw timebase.
  double slew_rate() const { return slew_rate_; }
  RawTime slew_end() const { return RawTime{Nanoseconds{slew_end_ns_}}; }

 private:
  void rebase(RawTime raw_now);
  std::int64_t unleaped_ns_at(RawTime raw) const;
  void clear_leap();

  std::int64_t raw_reference_ns_ = 0;
  std::int64_t utc_reference_ns_ = 0;
  double frequency_ = 0.0;  // served seconds per raw second, minus one
  double slew_rate_ = 0.0;  // added to frequency_ until slew_end_ns_
  std::int64_t slew_end_ns_ = 0;
  std::int64_t leap_at_ns_ = 0;
  std::int64_t leap_step_ns_ = 0;  // 0: none scheduled
  std::int64_t smear_start_ns_ = 0;
};

}  // namespace stratumd
