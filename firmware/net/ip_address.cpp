#include "firmware/net/ip_address.hpp"

#include <charconv>
#include <cstdio>
#include <vector>

namespace stratumd {
namespace {

std::optional<std::array<std::uint8_t, 4>> parse_dotted_quad(std::string_view text) {
  std::array<std::uint8_t, 4> out{};
  for (std::size_t i = 0; i < 4; ++i) {
    const auto dot = text.find('.');
    const std::string_view part = i < 3 ? text.substr(0, dot) : text;
    if ((i < 3 && dot == std::string_view::npos) || part.empty() || part.size() > 3)
      return std::nullopt;
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (ec != std::errc{} || end != part.data() + part.size() || value > 255) return std::nullopt;
    out[i] = static_cast<std::uint8_t>(value);
    if (i < 3) text.remove_prefix(dot + 1);
  }
  return out;
}

std::optional<std::uint16_t> parse_hex_group(std::string_view g) {
  if (g.empty() || g.size() > 4) return std::nullopt;
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(g.data(), g.data() + g.size(), value, 16);
  if (ec != std::errc{} || end != g.data() + g.size()) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

// Splits on ':'; an IPv4 tail (a.b.c.d) counts as two groups.
std::optional<std::vector<std::uint16_t>> parse_groups(std::string_view text) {
  std::vector<std::uint16_t> groups;
  if (text.empty()) return groups;
  for (;;) {
    const auto colon = text.find(':');
    const std::string_view g = text.substr(0, colon);
    if (colon == std::string_view::npos && g.find('.') != std::string_view::npos) {
      const auto quad = parse_dotted_quad(g);
      if (!quad) return std::nullopt;
      groups.push_back(static_cast<std::uint16_t>(((*quad)[0] << 8) | (*quad)[1]));
      groups.push_back(static_cast<std::uint16_t>(((*quad)[2] << 8) | (*quad)[3]));
      return groups;
    }
    const auto value = parse_hex_group(g);
    if (!value) return std::nullopt;
    groups.push_back(*value);
    if (colon == std::string_view::npos) return groups;
    text.remove_prefix(colon + 1);
  }
}

std::optional<IpAddress> parse_v6(std::string_view text) {
  const auto zone = text.find('%');  // fe80::1%eth0: the zone does not change the address
  if (zone != std::string_view::npos) text = text.substr(0, zone);
  const auto gap = text.find("::");
  std::vector<std::uint16_t> groups;
  if (gap == std::string_view::npos) {
    auto all = parse_groups(text);
    if (!all || all->size() != 8) return std::nullopt;
    groups = std::move(*all);
  } else {
    if (text.find("::", gap + 1) != std::string_view::npos) return std::nullopt;
    auto head = parse_groups(text.substr(0, gap));
    auto tail = parse_groups(text.substr(gap + 2));
    if (!head || !tail || head->size() + tail->size() > 7) return std::nullopt;
    groups = std::move(*head);
    groups.resize(8 - tail->size(), 0);
    groups.insert(groups.end(), tail->begin(), tail->end());
  }
  IpAddress a;
  a.family = IpFamily::v6;
  for (std::size_t i = 0; i < 8; ++i) {
    a.bytes[2 * i] = static_cast<std::uint8_t>(groups[i] >> 8);
    a.bytes[2 * i + 1] = static_cast<std::uint8_t>(groups[i]);
  }
  return a;
}

}  // namespace

IpAddress IpAddress::v4(std::uint32_t host_order) {
  IpAddress a;
  for (std::size_t i = 0; i < 4; ++i)
    a.bytes[i] = static_cast<std::uint8_t>(host_order >> (24 - 8 * i));
  return a;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (text.find(':') != std::string_view::npos) return parse_v6(text);
  const auto quad = parse_dotted_quad(text);
  if (!quad) return std::nullopt;
  IpAddress a;
  std::copy(quad->begin(), quad->end(), a.bytes.begin());
  return a;
}

bool IpAddress::is_loopback() const {
  const IpAddress a = unmapped();
  if (a.family == IpFamily::v4) return a.bytes[0] == 127;
  static constexpr std::array<std::uint8_t, 16> kLoopback6{0, 0, 0, 0, 0, 0, 0, 0,
                                                           0, 0, 0, 0, 0, 0, 0, 1};
  return a.bytes == kLoopback6;
}

IpAddress IpAddress::unmapped() const {
  if (family != IpFamily::v6) return *this;
  for (std::size_t i = 0; i < 10; ++i) {
    if (bytes[i] != 0) return *this;
  }
  if (bytes[10] != 0xFF || bytes[11] != 0xFF) return *this;
  IpAddress a;
  std::copy(bytes.begin() + 12, bytes.end(), a.bytes.begin());
  return a;
}

std::uint64_t address_hash(const IpAddress& a) {
  std::uint64_t h = 0xcbf29ce484222325ULL ^ static_cast<std::uint64_t>(a.family);
  for (const std::uint8_t b : a.bytes) h = (h ^ b) * 0x100000001b3ULL;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return h;
}

std::string IpAddress::to_string() const {
  char text[48];
  if (family == IpFamily::v4) {
    std::snprintf(text, sizeof text, "%u.%u.%u.%u", bytes[0], bytes[1], bytes[2], bytes[3]);
    return text;
  }
  // Full form without zero compression: unambiguous, good enough for logs.
  std::string out;
  for (std::size_t i = 0; i < 8; ++i) {
    std::snprintf(text, sizeof text, i ? ":%x" : "%x", (bytes[2 * i] << 8) | bytes[2 * i + 1]);
    out += text;
  }
  return out;
}

std::optional<IpPrefix> IpPrefix::parse(std::string_view text) {
  const auto slash = text.find('/');
  const auto address = IpAddress::parse(text.substr(0, slash));
  if (!address) return std::nullopt;
  IpPrefix p{*address, address->bit_count()};
  if (slash != std::string_view::npos) {
    const std::string_view len = text.substr(slash + 1);
    int value = -1;
    const auto [end, ec] = std::from_chars(len.data(), len.data() + len.size(), value);
    if (ec != std::errc{} || end != len.data() + len.size() || value < 0 ||
        value > address->bit_count()) {
      return std::nullopt;
    }
    p.length = value;
  }
  return p;
}

std::optional<IpPrefix> IpPrefix::from_mask(const IpAddress& address, const IpAddress& mask) {
  if (address.family != mask.family) return std::nullopt;
  int length = 0;
  while (length < mask.bit_count() && mask.bit(length)) ++length;
  for (int i = length; i < mask.bit_count(); ++i) {
    if (mask.bit(i)) return std::nullopt;  // not contiguous
  }
  return IpPrefix{address, length};
}

bool IpPrefix::contains(const IpAddress& a) const {
  if (a.family != address.family) return false;
  for (int i = 0; i < length; ++i) {
    if (a.bit(i) != address.bit(i)) return false;
  }
  return true;
}

}  // namespace stratumd
