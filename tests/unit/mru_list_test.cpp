#include "firmware/control/mru_list.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "firmware/control/mode6.hpp"

namespace stratumd {
namespace {

const SipKey kKey{0x1234, 0x5678};
const IpAddress kAsker = *IpAddress::parse("192.0.2.7");

std::string nonce_for(const IpAddress& asker, std::uint32_t seconds) {
  std::array<char, 32> out{};
  const std::size_t n = write_mru_nonce(kKey, asker, seconds, out);
  return std::string(out.data(), n);
}

std::vector<MonitorEntry> clients(int n) {
  std::vector<MonitorEntry> out;
  for (int i = 0; i < n; ++i) {
    MonitorEntry e;
    e.address = IpAddress::v4(0x0A000000u + static_cast<std::uint32_t>(i)).bytes;
    e.used = true;
    e.first = NtpTimestamp{1000u + static_cast<std::uint32_t>(i), 0};
    e.last = NtpTimestamp{2000u + static_cast<std::uint32_t>(i), 0x80000000u};
    e.count = static_cast<std::uint32_t>(i + 1);
    e.port = 123;
    e.mode_version = 0x23;
    out.push_back(e);
  }
  return out;
}

std::string reply(const MruRequest& request, const std::vector<MonitorEntry>& entries,
                  std::uint16_t* error = nullptr) {
  std::vector<char> out(kMruMaxFragments * kMode6MaxData);
  const MruReply r = write_mru_reply(request, entries, NtpTimestamp{3000, 0}, "nonce=abc", out);
  if (error) *error = r.error;
  return std::string(out.data(), r.length);
}

TEST(MruNonce, ValidOnlyForItsAddressAndForAWhile) {
  const std::string nonce = nonce_for(kAsker, 500);
  ASSERT_EQ(nonce.rfind("nonce=", 0), 0u);
  const std::string value = nonce.substr(6);
  EXPECT_TRUE(mru_nonce_valid(kKey, kAsker, 500, value));
  EXPECT_TRUE(mru_nonce_valid(kKey, kAsker, 500 + kMruNonceLifetimeS - 1, value));
  EXPECT_FALSE(mru_nonce_valid(kKey, kAsker, 500 + kMruNonceLifetimeS, value));
  EXPECT_FALSE(mru_nonce_valid(kKey, kAsker, 499, value));  // from the future
  EXPECT_FALSE(mru_nonce_valid(kKey, *IpAddress::parse("192.0.2.8"), 500, value));
  EXPECT_FALSE(mru_nonce_valid(SipKey{1, 2}, kAsker, 500, value));
  std::string forged = value;
  forged.back() = forged.back() == '0' ? '1' : '0';
  EXPECT_FALSE(mru_nonce_valid(kKey, kAsker, 500, forged));
  EXPECT_FALSE(mru_nonce_valid(kKey, kAsker, 500, value.substr(1)));
}

TEST(MruRequestParse, WhatNtpqSends) {
  MruRequest r;
  ASSERT_EQ(parse_mru_request("nonce=00000001aaaaaaaaaaaaaaaa, frags=32, mincount=2, "
                              "resany=0x20, maxlstint=600, recent=5",
                              r),
            MruParse::ok);
  EXPECT_EQ(r.nonce, "00000001aaaaaaaaaaaaaaaa");
  EXPECT_EQ(r.fragments, 32u);
  EXPECT_EQ(r.min_count, 2u);
  EXPECT_EQ(r.any_mark, 0x20);
  EXPECT_EQ(r.max_idle_s, 600u);
  EXPECT_EQ(r.recent, 5u);
  ASSERT_EQ(parse_mru_request("nonce=x, limit=40, addr.0=10.0.0.3:123, last.0=0x000007d3.80000000, "
                              "addr.1=[2001:db8::1]:4000, last.1=0x1.2",
                              r),
            MruParse::ok);
  EXPECT_EQ(r.rows, 40u);
  ASSERT_EQ(r.prior_count, 2u);
  EXPECT_EQ(r.priors[0].address, *IpAddress::parse("10.0.0.3"));
  EXPECT_EQ(r.priors[0].last, (NtpTimestamp{0x7d3, 0x80000000u}));
  EXPECT_EQ(r.priors[1].address, *IpAddress::parse("2001:db8::1"));
  EXPECT_EQ(r.priors[1].port, 4000);
}

TEST(MruRequestParse, RefusesWhatItCannotHonour) {
  MruRequest r;
  EXPECT_EQ(parse_mru_request("frags=32", r), MruParse::no_nonce);
  EXPECT_EQ(parse_mru_request("nonce=x, laddr=10.0.0.1", r), MruParse::bad_format);
  EXPECT_EQ(parse_mru_request("nonce=x, frags=-1", r), MruParse::bad_format);
  EXPECT_EQ(parse_mru_request("nonce=x, addr.0=10.0.0.1:123", r), MruParse::bad_format);
  EXPECT_EQ(parse_mru_request("nonce=x, addr.1=10.0.0.1:123, last.1=0x1.0", r),
            MruParse::bad_format);  // priors are numbered from 0
  EXPECT_EQ(parse_mru_request("nonce=x, last.0=12", r), MruParse::bad_format);
  EXPECT_EQ(parse_mru_request("nonce=x, bogus", r), MruParse::bad_format);
}

TEST(MruReply, AllEntriesOldestFirstThenNow) {
  MruRequest request;
  request.nonce = "x";
  const std::string text = reply(request, clients(3));
  EXPECT_EQ(text.rfind("nonce=abc, addr.0=10.0.0.0:123, last.0=0x000007d0.80000000, "
                       "first.0=0x000003e8.00000000, ct.0=1, mv.0=35, rs.0=0x0, dr.0=0",
                       0),
            0u)
      << text;
  EXPECT_NE(text.find("addr.2=10.0.0.2:123"), std::string::npos);
  EXPECT_NE(text.find(", now=0x00000bb8.00000000, last.newest=0x000007d2.80000000"),
            std::string::npos)
      << text;
}

TEST(MruReply, AFragmentLimitLeavesTheRestForTheNextRequest) {
  const auto entries = clients(100);
  MruRequest request;
  request.nonce = "x";
  request.fragments = 2;
  std::string text = reply(request, entries);
  EXPECT_LE(text.size(), 2 * kMode6MaxData);
  EXPECT_EQ(text.find("now="), std::string::npos);
  // The asker continues from the newest entry it holds.
  std::size_t held = 0;
  while (text.find("addr." + std::to_string(held) + "=") != std::string::npos) ++held;
  ASSERT_GT(held, 2u);
  MruRequest next;
  next.nonce = "x";
  next.prior_count = 1;
  next.priors[0] = {*IpAddress::parse("10.0.0." + std::to_string(held - 1)), 123,
                    entries[held - 1].last};
  text = reply(next, entries);
  EXPECT_NE(text.find("last.older="), std::string::npos);
  EXPECT_NE(text.find("addr.0=10.0.0." + std::to_string(held) + ":123"), std::string::npos) << text;
  EXPECT_NE(text.find("now="), std::string::npos);
}

TEST(MruReply, APriorNoLongerThereStartsOver) {
  MruRequest request;
  request.nonce = "x";
  request.prior_count = 1;
  request.priors[0] = {*IpAddress::parse("10.0.0.1"), 123,
                       NtpTimestamp{1, 0}};  // since heard again
  std::uint16_t error = 0;
  EXPECT_EQ(reply(request, clients(3), &error), "");
  EXPECT_EQ(error, kControlErrorUnknownVariable);
}

TEST(MruReply, FiltersAndRecent) {
  auto entries = clients(10);
  entries[4].marks = monitor_mark::limited;
  entries[4].drops = 3;
  MruRequest request;
  request.nonce = "x";
  request.any_mark = monitor_mark::limited;
  std::string text = reply(request, entries);
  EXPECT_NE(text.find("addr.0=10.0.0.4:123"), std::string::npos);
  EXPECT_EQ(text.find("addr.1="), std::string::npos);
  request = {};
  request.nonce = "x";
  request.min_count = 9;  // counts are 1..10
  text = reply(request, entries);
  EXPECT_NE(text.find("addr.1=10.0.0.9:123"), std::string::npos);
  EXPECT_EQ(text.find("addr.2="), std::string::npos);
  request = {};
  request.nonce = "x";
  request.recent = 2;
  text = reply(request, entries);
  EXPECT_NE(text.find("addr.0=10.0.0.8:123"), std::string::npos);
  EXPECT_EQ(text.find("addr.2="), std::string::npos);
  request = {};
  request.nonce = "x";
  request.max_idle_s = 995;  // now is 3000; entries last heard at 2000.5 … 2009.5
  text = reply(request, entries);
  EXPECT_NE(text.find("addr.0=10.0.0.5:123"), std::string::npos) << text;
}

}  // namespace
}  // namespace stratumd
