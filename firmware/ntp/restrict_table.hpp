// ntpd's access control: `restrict` entries keyed by address prefix, the most specific match wins.
// Built once from the configuration, then read-only: a binary trie in one vector, so a lookup
// walks at most 32 or 128 nodes and never allocates or locks.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "firmware/net/ip_address.hpp"

namespace stratumd {

namespace restrict_flag {
inline constexpr std::uint32_t ignore = 1u << 0;       // drop every packet
inline constexpr std::uint32_t noquery = 1u << 1;      // no mode 6/7 queries
inline constexpr std::uint32_t nomodify = 1u << 2;     // no mode 6/7 writes
inline constexpr std::uint32_t noserve = 1u << 3;      // no time service
inline constexpr std::uint32_t nopeer = 1u << 4;       // no ephemeral symmetric associations
inline constexpr std::uint32_t notrap = 1u << 5;       // no mode 6 trap service
inline constexpr std::uint32_t noepeer = 1u << 6;      // no ephemeral peers even if authenticated
inline constexpr std::uint32_t limited = 1u << 7;      // apply `discard` rate limits
inline constexpr std::uint32_t kod = 1u << 8;          // answer rate violations with a RATE kiss
inline constexpr std::uint32_t lowpriotrap = 1u << 9;  // traps may be overridden
inline constexpr std::uint32_t ntpport = 1u << 10;     // entry matches source port 123 only
inline constexpr std::uint32_t version = 1u << 11;     // only the current NTP version (4)
inline constexpr std::uint32_t notrust = 1u << 12;     // unauthenticated packets are refused
inline constexpr std::uint32_t nomrulist = 1u << 13;   // no mode 6 MRU list
}  // namespace restrict_flag

// The flag named by `word`, or nullopt. `valid_restrict_flags()` lists them for error messages.
std::optional<std::uint32_t> restrict_flag_from_name(std::string_view word);
std::string valid_restrict_flags();
std::string restrict_flags_to_string(std::uint32_t flags);
// The name of one flag bit; empty for a bit that is no flag.
std::string_view restrict_flag_name(std::uint32_t flag);

// One `restrict` entry as configured (flags of repeated lines for the same prefix merged).
struct RestrictEntry {
  IpPrefix prefix;
  std::uint32_t flags = 0;  // `ntpport` set for an entry kept apart for port 123
};

// The flags that apply to a packet and the entry they came from (-1: none matched).
struct RestrictMatch {
  std::uint32_t flags = 0;
  std::int32_t entry = -1;
};

class RestrictTable {
 public:
  RestrictTable();

  // Entries for the same prefix accumulate flags, as repeated ntpd `restrict` lines do. An entry
  // with the `ntpport` flag is kept apart: it applies only to packets from port 123, and then it
  // wins over an entry of the same prefix without it.
  void add(const IpPrefix& prefix, std::uint32_t flags);

  // Flags for a packet from `source`:`source_port`; 0 when nothing matches (no restriction).
  std::uint32_t lookup(const IpAddress& source, std::uint16_t source_port) const {
    return match(source, source_port).flags;
  }
  // The same, with the entry that matched (for ntpq reslist's hit counts).
  RestrictMatch match(const IpAddress& source, std::uint16_t source_port) const;

  std::size_t entry_count() const { return entries_.size(); }
  // In the order they were first configured.
  const std::vector<RestrictEntry>& entries() const { return entries_; }

 private:
  struct Node {
    std::int32_t child[2] = {-1, -1};
    std::int32_t entry = -1;          // into entries_
    std::int32_t ntpport_entry = -1;  // the entry kept apart for port 123
  };

  std::vector<Node> nodes_;  // nodes_[0]: IPv4 root, nodes_[1]: IPv6 root
  std::vector<RestrictEntry> entries_;
};

}  // namespace stratumd
