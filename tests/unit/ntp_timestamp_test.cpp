#include "firmware/time/ntp_timestamp.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace stratumd {
namespace {

using std::chrono::seconds;

UtcTime unix_ns(std::int64_t ns) {
  return UtcTime{Nanoseconds{ns}};
}
constexpr std::int64_t kNs = 1'000'000'000;

TEST(NtpTimestamp, UnixEpochIsNtpSeconds2208988800) {
  const NtpTimestamp t = NtpTimestamp::from_utc(unix_ns(0));
  EXPECT_EQ(t.seconds(), 2'208'988'800u);
  EXPECT_EQ(t.fraction(), 0u);
}

TEST(NtpTimestamp, NtpEpochIsZero) {
  const NtpTimestamp t = NtpTimestamp::from_utc(unix_ns(-kNtpUnixEpochOffsetSeconds * kNs));
  EXPECT_TRUE(t.is_zero());
  EXPECT_EQ(NtpTimestamp::era_of(unix_ns(-kNtpUnixEpochOffsetSeconds * kNs)), 0);
  EXPECT_EQ(NtpTimestamp::era_of(unix_ns(-kNtpUnixEpochOffsetSeconds * kNs - 1)), -1);
}

TEST(NtpTimestamp, Era1StartsAt2036_02_07T06_28_16Z) {
  // 2^32 s after 1900-01-01 is 2036-02-07 06:28:16 UTC = Unix 2085978496.
  const std::int64_t era_boundary = 2'085'978'496;
  const NtpTimestamp before = NtpTimestamp::from_utc(unix_ns(era_boundary * kNs - 1));
  const NtpTimestamp at = NtpTimestamp::from_utc(unix_ns(era_boundary * kNs));
  EXPECT_EQ(before.seconds(), 0xFFFFFFFFu);
  EXPECT_EQ(at.seconds(), 0u);
  EXPECT_EQ(at.fraction(), 0u);
  EXPECT_EQ(NtpTimestamp::era_of(unix_ns(era_boundary * kNs - 1)), 0);
  EXPECT_EQ(NtpTimestamp::era_of(unix_ns(era_boundary * kNs)), 1);
}

TEST(NtpTimestamp, RecoversTheEraFromAPivotAcrossTheBoundary) {
  const std::int64_t era_boundary = 2'085'978'496;
  const UtcTime pivot = unix_ns(era_boundary * kNs - 10 * kNs);  // ten seconds before the wrap
  for (std::int64_t s : {era_boundary - 5, era_boundary, era_boundary + 5, era_boundary + 86400}) {
    const UtcTime t = unix_ns(s * kNs + 123'456'789);
    EXPECT_EQ(NtpTimestamp::from_utc(t).to_utc(pivot), t) << s;
  }
  // And a pivot after the boundary reading a stamp from just before it.
  const UtcTime late_pivot = unix_ns((era_boundary + 100) * kNs);
  const UtcTime early = unix_ns((era_boundary - 100) * kNs);
  EXPECT_EQ(NtpTimestamp::from_utc(early).to_utc(late_pivot), early);
}

TEST(NtpTimestamp, DatesBefore1970RoundTrip) {
  const UtcTime pivot = unix_ns(0);
  for (std::int64_t ns : {std::int64_t{-1}, -kNs, -kNs - 1, -kNs * 86400 * 365 * 50 + 7}) {
    EXPECT_EQ(NtpTimestamp::from_utc(unix_ns(ns)).to_utc(pivot), unix_ns(ns)) << ns;
  }
  // One nanosecond before 1970 is second 2208988799 with an almost full fraction.
  const NtpTimestamp t = NtpTimestamp::from_utc(unix_ns(-1));
  EXPECT_EQ(t.seconds(), 2'208'988'799u);
  EXPECT_EQ(t.fraction(), 4'294'967'292u);  // round((1e9-1) * 2^32 / 1e9)
}

TEST(NtpTimestamp, FractionRoundsToNearest) {
  EXPECT_EQ(nanoseconds_to_fraction32(0), 0u);
  EXPECT_EQ(nanoseconds_to_fraction32(500'000'000), 1ULL << 31);
  EXPECT_EQ(nanoseconds_to_fraction32(1), 4u);  // 4.294967 -> 4
  EXPECT_EQ(nanoseconds_to_fraction32(999'999'999), 4'294'967'292u);
  EXPECT_EQ(fraction32_to_nanoseconds(1), 0u);                        // 0.23 ns
  EXPECT_EQ(fraction32_to_nanoseconds(3), 1u);                        // 0.70 ns
  EXPECT_EQ(fraction32_to_nanoseconds(0xFFFFFFFFu), 1'000'000'000u);  // rounds up to a full second
}

TEST(NtpTimestamp, EveryNanosecondNearTheEdgesRoundTripsExactly) {
  const UtcTime pivot = unix_ns(1'700'000'000 * kNs);
  for (std::int64_t base :
       {std::int64_t{1'700'000'000} * kNs, -kNs, std::int64_t{2'085'978'496} * kNs}) {
    for (std::int64_t d = -2000; d <= 2000; ++d) {
      const UtcTime t = unix_ns(base + d);
      ASSERT_EQ(NtpTimestamp::from_utc(t).to_utc(base < 0 ? unix_ns(0) : pivot), t) << base + d;
    }
  }
  // And across a whole second at a coarse stride: the 2^-32 resolution never loses a nanosecond.
  for (std::int64_t ns = 0; ns < kNs; ns += 9973) {
    const UtcTime t = unix_ns(1'700'000'000 * kNs + ns);
    ASSERT_EQ(NtpTimestamp::from_utc(t).to_utc(pivot), t);
  }
}

TEST(NtpTimestamp, FractionCarryIntoSeconds) {
  // 999999999.9 ns cannot arise from integer ns, but the fraction of the last ns still fits:
  const NtpTimestamp t = NtpTimestamp::from_utc(unix_ns(5 * kNs - 1));
  EXPECT_EQ(t.seconds(), 2'208'988'804u);
  EXPECT_LT(t.fraction(), 0xFFFFFFFFu);
}

TEST(NtpShort, ConvertsDurationsWithRounding) {
  EXPECT_EQ(NtpShort::from_duration(Nanoseconds{0}).raw(), 0u);
  EXPECT_EQ(NtpShort::from_duration(Nanoseconds{-5}).raw(), 0u);
  EXPECT_EQ(NtpShort::from_duration(seconds{1}).raw(), 0x10000u);
  EXPECT_EQ(NtpShort::from_duration(Nanoseconds{7'629}).raw(), 0u);  // below half a unit (15258 ns)
  EXPECT_EQ(NtpShort::from_duration(Nanoseconds{7'630}).raw(), 1u);
  EXPECT_EQ(NtpShort::from_duration(seconds{70000}).raw(), 0xFFFFFFFFu);  // saturates
  EXPECT_EQ(NtpShort{0x10000}.to_duration(), seconds{1});
  EXPECT_EQ(NtpShort{1}.to_duration(), Nanoseconds{15'259});
  const Nanoseconds d{123'456'789};
  EXPECT_LE(std::chrono::abs(NtpShort::from_duration(d).to_duration() - d), Nanoseconds{7'630});
}

}  // namespace
}  // namespace stratumd

namespace stratumd {
namespace {

TEST(NtpShort, ErrorBoundsRoundUp) {
  EXPECT_EQ(NtpShort::from_duration_ceil(Nanoseconds{1}).raw(), 1u);  // never announced as zero
  EXPECT_EQ(NtpShort::from_duration(Nanoseconds{1}).raw(), 0u);
  EXPECT_EQ(NtpShort::from_duration_ceil(Nanoseconds{0}).raw(), 0u);
  EXPECT_EQ(NtpShort::from_duration_ceil(std::chrono::seconds{1}).raw(), 65536u);
  EXPECT_EQ(NtpShort::from_duration_ceil(std::chrono::seconds{1} + Nanoseconds{1}).raw(), 65537u);
}

}  // namespace
}  // namespace stratumd
