// Turns the server-related configuration into what the server is built from: the restrict
// table and the set of local addresses to listen on. Pure: the local interfaces are passed in.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "firmware/config/ntp_conf_parser.hpp"
#include "firmware/ntp/restrict_table.hpp"

namespace stratumd {

// Host names resolved so far (a name not in the map yet is skipped: it applies once resolved).
using ResolvedHosts = std::map<std::string, std::vector<IpAddress>>;

// Without a `restrict default` line for a family, the built-in default applies to it: `noquery`
// for every source but the loopback (127.0.0.0/8, ::1); the configured lines then refine it.
// `sources`: the addresses of the associations now (servers, pool members, peers), for
// `restrict source`.
RestrictTable build_restrict_table(const std::vector<RestrictLine>& lines,
                                   const ResolvedHosts& resolved = {},
                                   const std::vector<IpAddress>& sources = {});

struct LocalAddress {
  std::string interface_name;
  IpAddress address;
  std::uint32_t scope_id = 0;  // IPv6 link-local: the interface index
};

struct ListenEndpoint {
  IpAddress address;  // for a wildcard endpoint, the family's any-address
  std::uint32_t scope_id = 0;
  std::string interface_name;  // empty for a wildcard
  bool drop = false;           // bound, but every packet is dropped (interface drop)
};

struct ListenPlan {
  std::vector<ListenEndpoint> endpoints;
  std::vector<std::string> notes;  // decisions an operator should see in the log
};

// ntpd's `interface` semantics: every address listens unless a rule says otherwise; rules are
// applied in order and the last one that matches an address decides. Without rules the server
// binds the two wildcard addresses only; with rules, the wildcards only when a rule names them.
ListenPlan plan_listening(const std::vector<InterfaceRule>& rules,
                          const std::vector<LocalAddress>& local, bool ipv6_available);

}  // namespace stratumd
