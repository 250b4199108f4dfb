#include "firmware/control/ordered_lists.hpp"

#include <arpa/inet.h>

#include <array>
#include <cinttypes>
#include <cstdio>

namespace stratumd {
namespace {

// Appends one stanza, or nothing when it does not fit whole.
class StanzaWriter {
 public:
  explicit StanzaWriter(std::span<char> out) : out_(out) {}

  template <typename... Args>
  bool append(const char* format, Args... args) {
    const std::size_t room = out_.size() - length_;
    const int n = std::snprintf(out_.data() + length_, room, format, args...);
    if (n < 0 || static_cast<std::size_t>(n) >= room) return false;
    length_ += static_cast<std::size_t>(n);
    return true;
  }
  std::size_t length() const { return length_; }

 private:
  std::span<char> out_;
  std::size_t length_ = 0;
};

// inet_ntop writes into the caller's buffer (IpAddress::to_string allocates).
const char* address_text(const IpAddress& a, std::array<char, 48>& text) {
  if (!::inet_ntop(a.family == IpFamily::v4 ? AF_INET : AF_INET6, a.bytes.data(), text.data(),
                   static_cast<socklen_t>(text.size()))) {
    text[0] = '\0';
  }
  return text.data();
}

IpAddress mask_of(const IpPrefix& prefix) {
  IpAddress mask;
  mask.family = prefix.address.family;
  for (int i = 0; i < prefix.length; ++i) {
    mask.bytes[static_cast<std::size_t>(i / 8)] |= static_cast<std::uint8_t>(0x80 >> (i % 8));
  }
  return mask;
}

bool is_any(const IpAddress& a) {
  for (const std::uint8_t b : a.bytes) {
    if (b) return false;
  }
  return true;
}

}  // namespace

OrderedList ordered_list_named(std::string_view data) {
  while (!data.empty() && (data.back() == '\0' || data.back() == ' ')) data.remove_suffix(1);
  if (data.empty() || data == "ifstats") return OrderedList::interfaces;  // ntpd's default
  if (data == "addr_restrictions") return OrderedList::restrictions;
  return OrderedList::unknown;
}

std::size_t write_interface_list(std::span<const InterfaceReport> interfaces, std::span<char> out) {
  StanzaWriter w(out);
  std::size_t committed = 0;
  for (std::size_t i = 0; i < interfaces.size(); ++i) {
    const InterfaceReport& f = interfaces[i];
    std::array<char, 48> text{};
    const bool wildcard = is_any(f.address);
    const std::uint32_t flags = kInterfaceUp | (f.address.is_loopback() ? kInterfaceLoopback : 0) |
                                (f.address.family == IpFamily::v4 ? kInterfaceBroadcast : 0) |
                                (wildcard ? kInterfaceWildcard : 0);
    const char* separator = committed ? ", " : "";
    const bool v6 = f.address.family == IpFamily::v6;
    const bool fits =
        w.append("%saddr.%zu=%s%s%s:%u, en.%zu=%d, flags.%zu=0x%x, mc.%zu=0", separator, i,
                 v6 ? "[" : "", address_text(f.address, text), v6 ? "]" : "", f.port, i,
                 f.enabled ? 1 : 0, i, flags, i) &&
        w.append(", name.%zu=\"%.*s\"", i, static_cast<int>(wildcard ? 8 : f.name.size()),
                 wildcard ? "wildcard" : f.name.data()) &&
        w.append(", pc.%zu=0, rx.%zu=%" PRIu64 ", tl.%zu=0, tx.%zu=%" PRIu64 ", txerr.%zu=%" PRIu64
                 ", up.%zu=%" PRIu64,
                 i, i, f.received, i, i, f.sent, i, f.send_failures, i, f.up_seconds);
    if (!fits) break;
    committed = w.length();
  }
  return committed;
}

std::size_t write_restriction_list(const RestrictTable& table, std::span<const std::uint64_t> hits,
                                   std::span<char> out) {
  StanzaWriter w(out);
  std::size_t committed = 0;
  const auto& entries = table.entries();
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const RestrictEntry& e = entries[i];
    std::array<char, 48> address{};
    std::array<char, 48> mask{};
    std::array<char, 160> flags{};
    // The flag names, ntpd's spelling ("none" for an entry without any).
    std::size_t n = 0;
    for (std::uint32_t bit = 1; bit != 0 && n < flags.size(); bit <<= 1) {
      if (!(e.flags & bit)) continue;
      const std::string_view name = restrict_flag_name(bit);
      if (name.empty() || n + name.size() + 2 > flags.size()) continue;
      if (n) flags[n++] = ' ';
      for (const char c : name) flags[n++] = c;
    }
    if (n == 0) n = static_cast<std::size_t>(std::snprintf(flags.data(), flags.size(), "none"));
    const std::uint64_t hit_count = i < hits.size() ? hits[i] : 0;
    const bool fits = w.append(
        "%saddr.%zu=%s, flags.%zu=\"%.*s\", hits.%zu=%" PRIu64 ", mask.%zu=%s",
        committed ? ", " : "", i, address_text(e.prefix.address, address), i, static_cast<int>(n),
        flags.data(), i, hit_count, i, address_text(mask_of(e.prefix), mask));
    if (!fits) break;
    committed = w.length();
  }
  return committed;
}

}  // namespace stratumd
