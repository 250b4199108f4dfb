// ntpq's ifstats and reslist: the ordered lists' text, and the control key that guards them.
#include "firmware/control/ordered_lists.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>

#include "firmware/control/control_auth.hpp"
#include "firmware/control/mode6.hpp"

namespace stratumd {
namespace {

IpPrefix prefix(const char* text) {
  return *IpPrefix::parse(text);
}

TEST(OrderedLists, NamesAsNtpqSendsThem) {
  EXPECT_EQ(ordered_list_named("ifstats"), OrderedList::interfaces);
  EXPECT_EQ(ordered_list_named(""), OrderedList::interfaces);  // ntpd's default
  EXPECT_EQ(ordered_list_named(std::string_view("addr_restrictions\0\0\0", 20)),
            OrderedList::restrictions);
  EXPECT_EQ(ordered_list_named("peers"), OrderedList::unknown);
}

TEST(OrderedLists, RestrictionsWithMaskFlagsAndHits) {
  RestrictTable table;
  table.add(prefix("0.0.0.0/0"), restrict_flag::noquery | restrict_flag::limited);
  table.add(prefix("192.0.2.0/24"), 0);
  table.add(prefix("2001:db8::/32"), restrict_flag::nomrulist);
  table.add(prefix("0.0.0.0/0"), restrict_flag::kod);  // merged into the first entry
  const std::array<std::uint64_t, 2> hits{7, 3};
  std::array<char, 1024> out{};
  const std::size_t n = write_restriction_list(table, hits, out);
  EXPECT_EQ(std::string(out.data(), n),
            "addr.0=0.0.0.0, flags.0=\"noquery limited kod\", hits.0=7, mask.0=0.0.0.0, "
            "addr.1=192.0.2.0, flags.1=\"none\", hits.1=3, mask.1=255.255.255.0, "
            "addr.2=2001:db8::, flags.2=\"nomrulist\", hits.2=0, mask.2=ffff:ffff::");
}

TEST(OrderedLists, ALongListIsCutBetweenStanzas) {
  RestrictTable table;
  table.add(prefix("192.0.2.1/32"), 0);
  table.add(prefix("192.0.2.2/32"), 0);
  std::array<char, 90> out{};  // room for the first stanza only
  const std::string first = "addr.0=192.0.2.1, flags.0=\"none\", hits.0=0, mask.0=255.255.255.255";
  EXPECT_EQ(std::string(out.data(), write_restriction_list(table, {}, out)), first);
}

TEST(OrderedLists, InterfacesWithTrafficAndFlags) {
  std::array<InterfaceReport, 2> interfaces{};
  interfaces[0].address = *IpAddress::parse("0.0.0.0");
  interfaces[0].received = 5;
  interfaces[0].sent = 4;
  interfaces[0].up_seconds = 60;
  interfaces[1].address = *IpAddress::parse("::1");
  interfaces[1].name = "lo";
  interfaces[1].enabled = false;
  std::array<char, 1024> out{};
  const std::string text(out.data(), write_interface_list(interfaces, out));
  EXPECT_EQ(text,
            "addr.0=0.0.0.0:123, en.0=1, flags.0=0x89, mc.0=0, name.0=\"wildcard\", pc.0=0, "
            "rx.0=5, tl.0=0, tx.0=4, txerr.0=0, up.0=60, "
            "addr.1=[::1]:123, en.1=0, flags.1=0x5, mc.1=0, name.1=\"lo\", pc.1=0, rx.1=0, "
            "tl.1=0, tx.1=0, txerr.1=0, up.1=0");
}

// A READ_ORDLIST_A request as NTPsec's ntpq builds it: data padded to 8 octets, then the MAC.
std::vector<std::uint8_t> signed_request(const SymmetricKey& key, std::string_view data,
                                         MacEngine& engine) {
  std::vector<std::uint8_t> packet(kMode6HeaderSize + data.size() + 64, 0);
  packet[0] = 0x16;  // version 2, mode 6
  packet[1] = mode6_opcode::read_ordered_list;
  packet[3] = 1;  // sequence
  packet[11] = static_cast<std::uint8_t>(data.size());
  for (std::size_t i = 0; i < data.size(); ++i) packet[kMode6HeaderSize + i] = data[i];
  const std::size_t length =
      sign_control_fragment(packet, kMode6HeaderSize + data.size(), key, engine);
  packet.resize(length);
  return packet;
}

TEST(ControlAuth, OnlyTheTrustedControlKeyOpensTheLists) {
  AuthSettings auth;
  auth.keys[1] = SymmetricKey{1, KeyType::sha1, std::vector<std::uint8_t>(20, 0x11)};
  auth.keys[2] = SymmetricKey{2, KeyType::md5, {'p', 'w'}};
  auth.trusted = {KeyReference{1, "keys", 1}, KeyReference{2, "keys", 2}};
  auth.control_key = KeyReference{1, "ntp.conf", 3};
  MacEngine engine;
  const auto good = signed_request(auth.keys[1], "ifstats", engine);
  ASSERT_EQ(good.size(), 48u);  // 12 + 7 padded to 24, then key ID and SHA-1 digest, 4 + 20
  const ControlAuth ok = check_control_mac(good, auth, engine);
  EXPECT_TRUE(ok.signed_request);
  EXPECT_EQ(ok.key, &auth.keys[1]);

  auto tampered = good;
  tampered[13] ^= 1;
  EXPECT_EQ(check_control_mac(tampered, auth, engine).key, nullptr);
  // Trusted, valid, but not the control key.
  EXPECT_EQ(check_control_mac(signed_request(auth.keys[2], "ifstats", engine), auth, engine).key,
            nullptr);
  // The control key, no longer trusted.
  auth.trusted = {KeyReference{2, "keys", 2}};
  EXPECT_EQ(check_control_mac(good, auth, engine).key, nullptr);
  // No MAC at all.
  const std::vector<std::uint8_t> bare(good.begin(), good.begin() + 20);
  EXPECT_FALSE(check_control_mac(bare, auth, engine).signed_request);

  const MacCounters c = engine.counters();
  EXPECT_EQ(c.lookups, 4u);
  EXPECT_EQ(c.digest_checked, 2u);  // the good one and the tampered one
  EXPECT_EQ(c.digest_failed, 1u);
  EXPECT_EQ(c.digest_made, 2u);  // the two requests signed here
}

}  // namespace
}  // namespace stratumd
