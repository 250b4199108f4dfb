#include "refclock/ntp_shm.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <ctime>

namespace stratumd {
namespace {

using namespace std::chrono_literals;

NtpShmTime gpsd_style_sample() {
  NtpShmTime t{};
  t.mode = 1;
  t.count = 7;
  t.clock_seconds = 1'790'000'000;
  t.clock_microseconds = 0;
  t.clock_nanoseconds = 0;
  t.receive_seconds = 1'790'000'000;
  t.receive_microseconds = 152'345;
  t.receive_nanoseconds = 152'345'678;
  t.precision = -1;
  t.valid = 1;
  return t;
}

TEST(NtpShm, LayoutMatchesNtpdAndGpsdOnThisPlatform) {
  // gpsd and ntpd agree on this layout; a different one would read garbage. Their time_t is the
  // system's: 64-bit (and 8-byte aligned) on 64-bit Linux and on 32-bit ARM built for 64-bit
  // time (Debian 13), 32-bit on Debian 12's armhf even though stratumd is built with 64-bit time.
  struct Layout {
    std::size_t count, clock_seconds, receive_seconds, leap, valid, clock_nanoseconds, size;
  };
  constexpr Layout time64{4, 8, 24, 36, 48, 52, 96};
  constexpr Layout time32{4, 8, 16, 24, 36, 40, 80};
  const Layout& want = STRATUMD_SYSTEM_TIME_BITS == 64 ? time64 : time32;
  EXPECT_EQ(sizeof(std::time_t), 8u) << "stratumd itself is built with 64-bit time";
  EXPECT_EQ(offsetof(NtpShmTime, count), want.count);
  EXPECT_EQ(offsetof(NtpShmTime, clock_seconds), want.clock_seconds);
  EXPECT_EQ(offsetof(NtpShmTime, receive_seconds), want.receive_seconds);
  EXPECT_EQ(offsetof(NtpShmTime, leap), want.leap);
  EXPECT_EQ(offsetof(NtpShmTime, valid), want.valid);
  EXPECT_EQ(offsetof(NtpShmTime, clock_nanoseconds), want.clock_nanoseconds);
  EXPECT_EQ(sizeof(NtpShmTime), want.size);
}

TEST(NtpShm, DecodesAValidSampleWithNanoseconds) {
  const ShmDecode d = decode_shm_time(gpsd_style_sample(), 7, 7, 4h);
  ASSERT_EQ(d.status, ShmStatus::ok);
  EXPECT_EQ(d.sample.reference, UtcTime{std::chrono::seconds{1'790'000'000}});
  EXPECT_EQ(d.sample.received.time_since_epoch(),
            std::chrono::seconds{1'790'000'000} + 152'345'678ns);
}

TEST(NtpShm, NanosecondsDisagreeingWithMicrosecondsAreIgnored) {
  NtpShmTime t = gpsd_style_sample();
  t.receive_nanoseconds = 999'000'000;  // an old writer leaves garbage there
  EXPECT_EQ(decode_shm_time(t, 7, 7, 4h).sample.received.time_since_epoch(),
            std::chrono::seconds{1'790'000'000} + 152'345us);
}

TEST(NtpShm, InvalidTornFarAndBad) {
  NtpShmTime t = gpsd_style_sample();
  t.valid = 0;
  EXPECT_EQ(decode_shm_time(t, 7, 7, 4h).status, ShmStatus::not_valid);
  EXPECT_EQ(decode_shm_time(gpsd_style_sample(), 7, 8, 4h).status, ShmStatus::torn);
  NtpShmTime mode0 = gpsd_style_sample();
  mode0.mode = 0;  // mode 0 does not use the count
  EXPECT_EQ(decode_shm_time(mode0, 7, 8, 4h).status, ShmStatus::ok);
  NtpShmTime far = gpsd_style_sample();
  far.clock_seconds += 5 * 3600;
  EXPECT_EQ(decode_shm_time(far, 7, 7, 4h).status, ShmStatus::too_far);
  EXPECT_EQ(decode_shm_time(far, 7, 7, std::nullopt).status, ShmStatus::ok);  // flag1
  NtpShmTime bad = gpsd_style_sample();
  bad.clock_microseconds = 1'000'000;
  EXPECT_EQ(decode_shm_time(bad, 7, 7, 4h).status, ShmStatus::bad_values);
}

}  // namespace
}  // namespace stratumd
