#include "firmware/discipline/holdover_frequency.hpp"

namespace stratumd {
namespace {

// 64 checkpoints 32 s apart: the last 34 minutes. Long enough to average the sample noise down
// to a fraction of a ppb; short enough that a wandering crystal's frequency has not moved much.
constexpr Nanoseconds kSpacing = std::chrono::seconds{32};
constexpr Nanoseconds kMinimumSpan = std::chrono::seconds{256};

}  // namespace

void HoldoverFrequency::add(UtcTime at, double offset, double correction) {
  if (count_ > 0) {
    const Checkpoint& last = ring_[newest_];
    if (at < last.at) {
      count_ = 0;  // the clock went back: a history on another time axis
    } else if (at - last.at < kSpacing) {
      return;
    }
  }
  newest_ = (newest_ + 1) % kCheckpoints;
  ring_[newest_] = {at, offset, correction};
  if (count_ < kCheckpoints) ++count_;
}

std::optional<double> HoldoverFrequency::frequency_ppm() const {
  if (count_ < 2) return std::nullopt;
  const Checkpoint& last = ring_[newest_];
  const Checkpoint& first = ring_[(newest_ + kCheckpoints - (count_ - 1)) % kCheckpoints];
  if (last.at - first.at < kMinimumSpan) return std::nullopt;
  // Per second of the clock's reading; Clock::set_frequency counts against the oscillator.
  const double rate = (last.offset - first.offset + last.correction - first.correction) /
                      to_seconds(last.at - first.at);
  return ppm_from_ledger_rate(rate);
}

}  // namespace stratumd
