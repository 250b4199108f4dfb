#include "firmware/config/server_plan.hpp"

#include <gtest/gtest.h>

namespace stratumd {
namespace {

InterfaceRule rule(InterfaceRule::Action action, InterfaceRule::Match match,
                   const char* what = "") {
  InterfaceRule r;
  r.action = action;
  r.match = match;
  if (match == InterfaceRule::Match::name) r.name = what;
  if (match == InterfaceRule::Match::prefix) r.prefix = *IpPrefix::parse(what);
  return r;
}

const std::vector<LocalAddress> kLocal{
    {"lo", *IpAddress::parse("127.0.0.1"), 0},       {"lo", *IpAddress::parse("::1"), 0},
    {"eth0", *IpAddress::parse("192.0.2.10"), 0},    {"eth0", *IpAddress::parse("fe80::10"), 2},
    {"wlan0", *IpAddress::parse("198.51.100.4"), 0},
};

TEST(ListenPlan, WithoutRulesBindsTheWildcards) {
  const ListenPlan plan = plan_listening({}, kLocal, true);
  ASSERT_EQ(plan.endpoints.size(), 2u);
  EXPECT_TRUE(plan.endpoints[0].interface_name.empty());
  EXPECT_EQ(plan.endpoints[1].address.family, IpFamily::v6);
  EXPECT_EQ(plan_listening({}, kLocal, false).endpoints.size(), 1u);
}

TEST(ListenPlan, LastMatchingRuleDecides) {
  using A = InterfaceRule::Action;
  using M = InterfaceRule::Match;
  const ListenPlan plan =
      plan_listening({rule(A::ignore, M::all), rule(A::listen, M::name, "lo"),
                      rule(A::listen, M::prefix, "192.0.2.0/24"), rule(A::drop, M::name, "wlan0"),
                      rule(A::ignore, M::ipv6)},
                     kLocal, true);
  std::vector<std::string> bound;
  for (const auto& e : plan.endpoints) bound.push_back(e.address.to_string() + (e.drop ? "!" : ""));
  EXPECT_EQ(bound, (std::vector<std::string>{"127.0.0.1", "192.0.2.10", "198.51.100.4!"}));
}

TEST(ListenPlan, LinkLocalKeepsItsScope) {
  const ListenPlan plan = plan_listening(
      {rule(InterfaceRule::Action::listen, InterfaceRule::Match::name, "eth0")}, kLocal, true);
  bool found = false;
  for (const auto& e : plan.endpoints) {
    if (e.address == *IpAddress::parse("fe80::10")) {
      EXPECT_EQ(e.scope_id, 2u);
      found = true;
    }
  }
  EXPECT_TRUE(found);
}

TEST(ListenPlan, ExplicitWildcardCoversAddressesAndSaysWhenADropCannotHold) {
  using A = InterfaceRule::Action;
  using M = InterfaceRule::Match;
  const ListenPlan plan =
      plan_listening({rule(A::listen, M::wildcard), rule(A::drop, M::name, "wlan0")}, kLocal, true);
  EXPECT_EQ(plan.endpoints.size(), 2u);
  ASSERT_EQ(plan.notes.size(), 1u);
  EXPECT_NE(plan.notes[0].find("198.51.100.4"), std::string::npos);
}

TEST(ListenPlan, RulesThatLeaveNothingSaySo) {
  const ListenPlan plan = plan_listening(
      {rule(InterfaceRule::Action::ignore, InterfaceRule::Match::all)}, kLocal, true);
  EXPECT_TRUE(plan.endpoints.empty());
  EXPECT_FALSE(plan.notes.empty());
}

TEST(RestrictTableFromConfig, DefaultCoversBothFamiliesUnlessNarrowed) {
  RestrictLine both{std::nullopt, std::nullopt, restrict_flag::kod, {}, {}};
  RestrictLine v6_only{std::nullopt, IpFamily::v6, restrict_flag::noquery, {}, {}};
  RestrictLine host{IpPrefix::parse("127.0.0.1"), std::nullopt, 0, {}, {}};
  const RestrictTable table = build_restrict_table({both, v6_only, host});
  EXPECT_EQ(table.lookup(*IpAddress::parse("192.0.2.1"), 1), restrict_flag::kod);
  EXPECT_EQ(table.lookup(*IpAddress::parse("2001:db8::1"), 1),
            restrict_flag::kod | restrict_flag::noquery);
  EXPECT_EQ(table.lookup(*IpAddress::parse("127.0.0.1"), 1), 0u);
}

TEST(RestrictTableFromConfig, HostNamesApplyOnceResolved) {
  RestrictLine by_name{std::nullopt, std::nullopt, restrict_flag::ignore, {}, "gps-lab.example"};
  RestrictLine v4_name{std::nullopt, IpFamily::v4, restrict_flag::kod, {}, "dual.example"};
  // Not resolved yet: nothing (certainly not `default`), so the built-in default: no mode 6
  // but from the loopback.
  RestrictTable table = build_restrict_table({by_name, v4_name});
  EXPECT_EQ(table.lookup(*IpAddress::parse("192.0.2.1"), 1), restrict_flag::noquery);
  EXPECT_EQ(table.lookup(*IpAddress::parse("2001:db8::5"), 1), restrict_flag::noquery);
  EXPECT_EQ(table.lookup(*IpAddress::parse("127.0.0.2"), 1), 0u);
  EXPECT_EQ(table.lookup(*IpAddress::parse("::1"), 1), 0u);
  const ResolvedHosts resolved{
      {"gps-lab.example", {*IpAddress::parse("192.0.2.7"), *IpAddress::parse("2001:db8::7")}},
      {"dual.example", {*IpAddress::parse("198.51.100.1"), *IpAddress::parse("2001:db8::1")}}};
  table = build_restrict_table({by_name, v4_name}, resolved);
  EXPECT_EQ(table.lookup(*IpAddress::parse("192.0.2.7"), 1), restrict_flag::ignore);
  EXPECT_EQ(table.lookup(*IpAddress::parse("2001:db8::7"), 1), restrict_flag::ignore);
  EXPECT_EQ(table.lookup(*IpAddress::parse("192.0.2.8"), 1),
            restrict_flag::noquery);  // a host, not a prefix: the default for the others
  EXPECT_EQ(table.lookup(*IpAddress::parse("198.51.100.1"), 1), restrict_flag::kod);
  // -4 only: the IPv6 address of the name falls to the (built-in) default.
  EXPECT_EQ(table.lookup(*IpAddress::parse("2001:db8::1"), 1), restrict_flag::noquery);
}

TEST(RestrictTableFromConfig, SourceFlagsFollowTheAssociationsButNotNamedHosts) {
  RestrictLine fallback{
      std::nullopt, std::nullopt, restrict_flag::noquery | restrict_flag::kod, {}, ""};
  RestrictLine source{std::nullopt, std::nullopt, restrict_flag::nomodify, {}, ""};
  source.source = true;
  RestrictLine named{IpPrefix::parse("192.0.2.9"), std::nullopt, restrict_flag::ignore, {}, ""};
  const std::vector<RestrictLine> lines{fallback, source, named};
  // No associations yet: `restrict source` alone neither adds entries nor stands for `default`.
  RestrictTable table = build_restrict_table(lines);
  EXPECT_EQ(table.entry_count(), 3u);  // the default of each family and 192.0.2.9
  EXPECT_EQ(table.lookup(*IpAddress::parse("192.0.2.1"), 1),
            restrict_flag::noquery | restrict_flag::kod);
  const std::vector<IpAddress> members{*IpAddress::parse("192.0.2.1"),
                                       *IpAddress::parse("2001:db8::1"),
                                       *IpAddress::parse("192.0.2.9")};
  table = build_restrict_table(lines, {}, members);
  EXPECT_EQ(table.lookup(*IpAddress::parse("192.0.2.1"), 1), restrict_flag::nomodify);
  EXPECT_EQ(table.lookup(*IpAddress::parse("2001:db8::1"), 1), restrict_flag::nomodify);
  EXPECT_EQ(table.lookup(*IpAddress::parse("192.0.2.2"), 1),
            restrict_flag::noquery | restrict_flag::kod);
  // A host the configuration names keeps its own line.
  EXPECT_EQ(table.lookup(*IpAddress::parse("192.0.2.9"), 1), restrict_flag::ignore);
  // Without a `restrict default`, the built-in one still applies around the sources.
  table = build_restrict_table({source}, {}, members);
  EXPECT_EQ(table.lookup(*IpAddress::parse("192.0.2.2"), 1), restrict_flag::noquery);
  EXPECT_EQ(table.lookup(*IpAddress::parse("192.0.2.1"), 1), restrict_flag::nomodify);
}

}  // namespace
}  // namespace stratumd
