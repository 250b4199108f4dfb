// ntpd's mode 6 "ordered lists" (opcode 11), which ntpq's ifstats and reslist read: one stanza of
// variables per listening address or per restrict entry, each name suffixed with the stanza's
// number ("addr.0=…, flags.0=…"). Pure and allocation-free: written into the caller's buffer,
// whole stanzas only, so a list too long for it is cut between two entries.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "firmware/net/ip_address.hpp"
#include "firmware/ntp/restrict_table.hpp"

namespace stratumd {

// What ntpq asks for: ifstats sends "ifstats", reslist "addr_restrictions".
enum class OrderedList : std::uint8_t { interfaces, restrictions, unknown };
OrderedList ordered_list_named(std::string_view request_data);

struct InterfaceReport {
  IpAddress address;
  std::uint16_t port = 123;
  std::string_view name;  // the interface; empty for a wildcard socket
  bool enabled = true;    // false: `interface drop`, every packet dropped
  std::uint64_t received = 0, sent = 0, send_failures = 0;
  std::uint64_t up_seconds = 0;
};

// ntpd's interface flags (ntp.h INT_*), as ifstats shows them in hex.
inline constexpr std::uint32_t kInterfaceUp = 0x1;
inline constexpr std::uint32_t kInterfaceLoopback = 0x4;
inline constexpr std::uint32_t kInterfaceBroadcast = 0x8;
inline constexpr std::uint32_t kInterfaceWildcard = 0x80;

std::size_t write_interface_list(std::span<const InterfaceReport> interfaces, std::span<char> out);
// `hits[i]`: packets matched by entry i (missing counts show as 0).
std::size_t write_restriction_list(const RestrictTable& table, std::span<const std::uint64_t> hits,
                                   std::span<char> out);

}  // namespace stratumd
