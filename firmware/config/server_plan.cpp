#include "firmware/config/server_plan.hpp"

#include <algorithm>

#include <optional>

namespace stratumd {
namespace {

bool rule_matches(const InterfaceRule& rule, const LocalAddress& a) {
  switch (rule.match) {
    case InterfaceRule::Match::all:
      return true;
    case InterfaceRule::Match::ipv4:
      return a.address.family == IpFamily::v4;
    case InterfaceRule::Match::ipv6:
      return a.address.family == IpFamily::v6;
    case InterfaceRule::Match::wildcard:
      return false;
    case InterfaceRule::Match::name:
      return rule.name == a.interface_name;
    case InterfaceRule::Match::prefix:
      return rule.prefix.contains(a.address);
  }
  return false;
}

IpAddress any_address(IpFamily family) {
  IpAddress a;
  a.family = family;
  return a;
}

}  // namespace

RestrictTable build_restrict_table(const std::vector<RestrictLine>& lines,
                                   const ResolvedHosts& resolved,
                                   const std::vector<IpAddress>& sources) {
  RestrictTable table;
  // With no `restrict default` for a family, the built-in one: time for everyone, mode 6 (ntpq,
  // whose READVAR replies are up to 100 times the request) only from this host's loopback.
  for (const IpFamily family : {IpFamily::v4, IpFamily::v6}) {
    const bool configured =
        std::any_of(lines.begin(), lines.end(), [family](const RestrictLine& line) {
          return !line.prefix && line.host_name.empty() && !line.source &&
                 (!line.family || *line.family == family);
        });
    if (configured) continue;
    table.add(IpPrefix{any_address(family), 0}, restrict_flag::noquery);
    table.add(family == IpFamily::v4 ? IpPrefix{*IpAddress::parse("127.0.0.0"), 8}
                                     : IpPrefix{*IpAddress::parse("::1"), 128},
              0);
  }
  // Host entries the configuration names itself: `restrict source` does not touch those (ntpd).
  std::vector<IpAddress> named_hosts;
  const auto host_prefix = [](const IpAddress& a) {
    return IpPrefix{a, a.family == IpFamily::v4 ? 32 : 128};
  };
  for (const RestrictLine& line : lines) {
    if (line.prefix && line.prefix->length == host_prefix(line.prefix->address).length) {
      named_hosts.push_back(line.prefix->address);
    }
    if (const auto it = resolved.find(line.host_name);
        !line.host_name.empty() && it != resolved.end())
      named_hosts.insert(named_hosts.end(), it->second.begin(), it->second.end());
  }
  for (const RestrictLine& line : lines) {
    if (line.source) {
      for (const IpAddress& raw : sources) {
        const IpAddress address = raw.unmapped();
        if (std::find(named_hosts.begin(), named_hosts.end(), address) != named_hosts.end())
          continue;
        table.add(host_prefix(address), line.flags);
      }
      continue;
    }
    if (!line.host_name.empty()) {
      const auto it = resolved.find(line.host_name);
      if (it == resolved.end()) continue;
      for (const IpAddress& address : it->second) {
        if (line.family && *line.family != address.family) continue;
        table.add(IpPrefix{address, address.family == IpFamily::v4 ? 32 : 128}, line.flags);
      }
      continue;
    }
    if (line.prefix) {
      table.add(*line.prefix, line.flags);
      continue;
    }
    // `restrict default` covers both families unless -4 or -6 narrows it.
    for (const IpFamily family : {IpFamily::v4, IpFamily::v6}) {
      if (!line.family || *line.family == family)
        table.add(IpPrefix{any_address(family), 0}, line.flags);
    }
  }
  return table;
}

ListenPlan plan_listening(const std::vector<InterfaceRule>& rules,
                          const std::vector<LocalAddress>& local, bool ipv6_available) {
  ListenPlan plan;
  if (rules.empty()) {
    plan.endpoints.push_back({any_address(IpFamily::v4), 0, {}, false});
    if (ipv6_available) plan.endpoints.push_back({any_address(IpFamily::v6), 0, {}, false});
    return plan;
  }
  std::optional<InterfaceRule::Action> wildcard_action;
  for (const InterfaceRule& rule : rules) {
    if (rule.match == InterfaceRule::Match::wildcard) wildcard_action = rule.action;
  }
  const bool wildcard = wildcard_action == InterfaceRule::Action::listen;
  if (wildcard) {
    plan.endpoints.push_back({any_address(IpFamily::v4), 0, {}, false});
    if (ipv6_available) plan.endpoints.push_back({any_address(IpFamily::v6), 0, {}, false});
  }
  for (const LocalAddress& a : local) {
    if (a.address.family == IpFamily::v6 && !ipv6_available) continue;
    InterfaceRule::Action action = InterfaceRule::Action::listen;
    for (const InterfaceRule& rule : rules) {
      if (rule_matches(rule, a)) action = rule.action;
    }
    const std::string label = a.address.to_string() + " (" + a.interface_name + ")";
    if (action == InterfaceRule::Action::ignore) {
      plan.notes.push_back("not listening on " + label + ": interface ignore");
      continue;
    }
    if (wildcard) {
      if (action == InterfaceRule::Action::drop) {
        plan.notes.push_back("cannot drop traffic to " + label +
                             " while the wildcard address listens; it is served");
      }
      continue;  // the wildcard socket already receives it
    }
    plan.endpoints.push_back(
        {a.address, a.scope_id, a.interface_name, action == InterfaceRule::Action::drop});
  }
  if (plan.endpoints.empty())
    plan.notes.push_back("the interface rules leave no address to listen on");
  return plan;
}

}  // namespace stratumd
