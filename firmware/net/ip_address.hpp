// IPv4 and IPv6 addresses and prefixes as plain values: parsed from text without the socket API,
// compared bit by bit for access control.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace stratumd {

enum class IpFamily : std::uint8_t { v4, v6 };

struct IpAddress {
  IpFamily family = IpFamily::v4;
  // Network byte order; an IPv4 address uses the first four bytes, the rest stay zero.
  std::array<std::uint8_t, 16> bytes{};

  static IpAddress v4(std::uint32_t host_order);
  static std::optional<IpAddress> parse(std::string_view text);

  int bit_count() const { return family == IpFamily::v4 ? 32 : 128; }
  bool bit(int i) const { return (bytes[static_cast<std::size_t>(i / 8)] >> (7 - i % 8)) & 1; }
  // An IPv4-mapped IPv6 address (::ffff:a.b.c.d) as the IPv4 address it carries.
  IpAddress unmapped() const;
  // 127.0.0.0/8 or ::1 (mapped forms too): packets the kernel lets in only from this host.
  bool is_loopback() const;
  std::string to_string() const;

  friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

// A well-mixed 64-bit hash of the address (FNV-1a and a final mix): spreads a flood of 127.x.y.z
// sources over every set of the fixed-size per-client tables.
std::uint64_t address_hash(const IpAddress& a);

struct IpPrefix {
  IpAddress address;
  int length = 0;  // leading bits that must match

  // "ADDR", "ADDR/LEN"; a bare address is a host prefix.
  static std::optional<IpPrefix> parse(std::string_view text);
  // ntpd's "ADDR mask MASK"; nullopt when the mask is not contiguous or of another family.
  static std::optional<IpPrefix> from_mask(const IpAddress& address, const IpAddress& mask);

  bool contains(const IpAddress& a) const;
};

}  // namespace stratumd
