#include "drivers/clock/clock_precision.hpp"

#include <algorithm>
#include <chrono>

namespace stratumd {

Nanoseconds measure_clock_read_cost(const Clock& clock) {
  constexpr int kBatches = 20;
  constexpr int kReadsPerBatch = 200;
  auto best = Nanoseconds::max();
  for (int batch = 0; batch < kBatches; ++batch) {
    const auto start = std::chrono::steady_clock::now();
    UtcTime last{};
    for (int i = 0; i < kReadsPerBatch; ++i) last = std::max(last, clock.now());
    const auto elapsed = std::chrono::steady_clock::now() - start;
    best = std::min(best, std::chrono::duration_cast<Nanoseconds>(elapsed) / kReadsPerBatch);
  }
  return std::max(best, Nanoseconds{1});
}

}  // namespace stratumd
