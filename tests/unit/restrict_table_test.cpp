#include "firmware/ntp/restrict_table.hpp"

#include <gtest/gtest.h>

namespace stratumd {
namespace {

using namespace restrict_flag;

IpAddress ip(const char* text) {
  return *IpAddress::parse(text);
}
IpPrefix prefix(const char* text) {
  return *IpPrefix::parse(text);
}

TEST(IpAddress, ParsesV4AndV6Forms) {
  EXPECT_EQ(ip("127.0.0.1"), IpAddress::v4(0x7F000001));
  EXPECT_FALSE(IpAddress::parse("256.0.0.1"));
  EXPECT_FALSE(IpAddress::parse("1.2.3"));
  EXPECT_FALSE(IpAddress::parse("1.2.3.4.5"));
  EXPECT_FALSE(IpAddress::parse("pool.ntp.org"));
  const IpAddress loopback6 = ip("::1");
  EXPECT_EQ(loopback6.family, IpFamily::v6);
  EXPECT_EQ(loopback6.bytes[15], 1);
  EXPECT_EQ(ip("2001:db8::1").to_string(), "2001:db8:0:0:0:0:0:1");
  EXPECT_EQ(ip("::ffff:192.0.2.1").unmapped(), ip("192.0.2.1"));
  EXPECT_EQ(ip("fe80::1%eth0"), ip("fe80::1"));
  EXPECT_FALSE(IpAddress::parse("1::2::3"));
  EXPECT_FALSE(IpAddress::parse("1:2:3:4:5:6:7:8:9"));
  EXPECT_FALSE(IpAddress::parse("12345::"));
}

TEST(IpPrefix, ParsesLengthsAndMasks) {
  EXPECT_EQ(prefix("10.0.0.0/8").length, 8);
  EXPECT_EQ(prefix("10.1.2.3").length, 32);
  EXPECT_EQ(prefix("2001:db8::/32").length, 32);
  EXPECT_FALSE(IpPrefix::parse("10.0.0.0/33"));
  EXPECT_FALSE(IpPrefix::parse("10.0.0.0/x"));
  EXPECT_EQ(IpPrefix::from_mask(ip("10.0.0.0"), ip("255.255.255.0"))->length, 24);
  EXPECT_FALSE(IpPrefix::from_mask(ip("10.0.0.0"), ip("255.0.255.0")));  // not contiguous
  EXPECT_FALSE(IpPrefix::from_mask(ip("10.0.0.0"), ip("ffff::")));
  EXPECT_TRUE(prefix("10.0.0.0/8").contains(ip("10.200.1.1")));
  EXPECT_FALSE(prefix("10.0.0.0/8").contains(ip("11.0.0.1")));
  EXPECT_FALSE(prefix("10.0.0.0/8").contains(ip("::1")));
}

TEST(RestrictTable, NothingMatchesMeansNoRestriction) {
  const RestrictTable table;
  EXPECT_EQ(table.lookup(ip("192.0.2.1"), 40000), 0u);
  EXPECT_EQ(table.lookup(ip("2001:db8::1"), 40000), 0u);
}

TEST(RestrictTable, LongestPrefixWins) {
  RestrictTable table;
  table.add(prefix("0.0.0.0/0"), kod | nomodify | notrap | nopeer | noquery);
  table.add(prefix("10.0.0.0/8"), nomodify);
  table.add(prefix("10.1.0.0/16"), ignore);
  table.add(prefix("10.1.2.3"), 0);
  table.add(prefix("127.0.0.1"), 0);
  EXPECT_EQ(table.lookup(ip("192.0.2.1"), 40000), kod | nomodify | notrap | nopeer | noquery);
  EXPECT_EQ(table.lookup(ip("10.9.9.9"), 40000), nomodify);
  EXPECT_EQ(table.lookup(ip("10.1.9.9"), 40000), ignore);
  EXPECT_EQ(table.lookup(ip("10.1.2.3"), 40000), 0u);  // a host entry with no flags lifts them
  EXPECT_EQ(table.lookup(ip("127.0.0.1"), 40000), 0u);
  EXPECT_EQ(table.lookup(ip("127.0.0.2"), 40000), kod | nomodify | notrap | nopeer | noquery);
}

TEST(RestrictTable, FamiliesAreSeparate) {
  RestrictTable table;
  table.add(prefix("0.0.0.0/0"), ignore);
  table.add(prefix("::/0"), noquery);
  table.add(prefix("2001:db8::/32"), limited);
  EXPECT_EQ(table.lookup(ip("192.0.2.1"), 1), ignore);
  EXPECT_EQ(table.lookup(ip("2001:db9::1"), 1), noquery);
  EXPECT_EQ(table.lookup(ip("2001:db8:ffff::1"), 1), limited);
  // A v4-mapped source is matched as the IPv4 address it is.
  EXPECT_EQ(table.lookup(ip("::ffff:192.0.2.1"), 1), ignore);
}

TEST(RestrictTable, RepeatedLinesForAPrefixAccumulate) {
  RestrictTable table;
  table.add(prefix("10.0.0.0/8"), nomodify);
  table.add(prefix("10.0.0.0/8"), noquery);
  EXPECT_EQ(table.lookup(ip("10.0.0.1"), 1), nomodify | noquery);
  EXPECT_EQ(table.entry_count(), 1u);
}

TEST(RestrictTable, NtpportEntriesApplyOnlyToPort123AndWinThere) {
  RestrictTable table;
  table.add(prefix("10.0.0.0/8"), ignore);
  table.add(prefix("10.0.0.0/8"), ntpport);  // servers talking from port 123 are let through
  EXPECT_EQ(table.lookup(ip("10.0.0.1"), 40000), ignore);
  EXPECT_EQ(table.lookup(ip("10.0.0.1"), 123), 0u);
}

TEST(RestrictTable, FlagNamesRoundTrip) {
  EXPECT_EQ(restrict_flag_from_name("limited"), limited);
  EXPECT_FALSE(restrict_flag_from_name("nomodfy"));
  EXPECT_NE(valid_restrict_flags().find("nomodify"), std::string::npos);
  EXPECT_EQ(restrict_flags_to_string(kod | limited), "limited kod");
}

TEST(IpAddress, LoopbackIsTheHostsOwn) {
  for (const char* local : {"127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"}) {
    EXPECT_TRUE(IpAddress::parse(local)->is_loopback()) << local;
  }
  for (const char* other : {"10.0.0.1", "128.0.0.1", "::2", "::", "::ffff:10.0.0.1", "fe80::1"}) {
    EXPECT_FALSE(IpAddress::parse(other)->is_loopback()) << other;
  }
}

}  // namespace
}  // namespace stratumd
