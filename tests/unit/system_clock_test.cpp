// The system clock adapter, read-only: tests never steer the host's clock (DESIGN.md). Writes
// are exercised on SimClock/VirtualClock through the same Clock interface.
#include "drivers/clock/system_clock.hpp"

#include <gtest/gtest.h>
#include <sys/timex.h>

#include <cmath>

#include "drivers/clock/kernel_clocks.hpp"

namespace stratumd {
namespace {

TEST(SystemClock, ReadsTheKernelsTimeAndFrequency) {
  timex tx{};
  ASSERT_GE(::adjtimex(&tx), 0);
  const SystemClock clock;
  EXPECT_DOUBLE_EQ(clock.frequency_ppm(), static_cast<double>(tx.freq) / 65536.0);
  const std::int64_t before = read_clock_ns(CLOCK_REALTIME);
  const std::int64_t read = clock.now().time_since_epoch().count();
  const std::int64_t after = read_clock_ns(CLOCK_REALTIME);
  EXPECT_LE(before, read);
  EXPECT_LE(read, after);
}

TEST(SystemClock, ServesKernelTimeThroughAnIdentityModel) {
  const SystemClock clock;
  const RealtimeTimebase timebase;
  const RawTime raw = timebase.raw_now();
  EXPECT_EQ(clock.model().utc_at(raw).time_since_epoch(), raw.time_since_epoch());
  EXPECT_EQ(clock.model().served_at(raw).time_since_epoch(), raw.time_since_epoch());
}

}  // namespace
}  // namespace stratumd
