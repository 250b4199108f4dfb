#include "firmware/ntp/restrict_table.hpp"

#include <array>
#include <utility>

namespace stratumd {
namespace {

constexpr std::array<std::pair<std::string_view, std::uint32_t>, 14> kFlagNames{{
    {"ignore", restrict_flag::ignore},
    {"noquery", restrict_flag::noquery},
    {"nomodify", restrict_flag::nomodify},
    {"noserve", restrict_flag::noserve},
    {"nopeer", restrict_flag::nopeer},
    {"notrap", restrict_flag::notrap},
    {"noepeer", restrict_flag::noepeer},
    {"limited", restrict_flag::limited},
    {"kod", restrict_flag::kod},
    {"lowpriotrap", restrict_flag::lowpriotrap},
    {"ntpport", restrict_flag::ntpport},
    {"version", restrict_flag::version},
    {"notrust", restrict_flag::notrust},
    {"nomrulist", restrict_flag::nomrulist},
}};

constexpr std::uint16_t kNtpPort = 123;

}  // namespace

std::optional<std::uint32_t> restrict_flag_from_name(std::string_view word) {
  for (const auto& [name, flag] : kFlagNames) {
    if (name == word) return flag;
  }
  return std::nullopt;
}

std::string_view restrict_flag_name(std::uint32_t flag) {
  for (const auto& [name, bit] : kFlagNames) {
    if (bit == flag) return name;
  }
  return {};
}

std::string valid_restrict_flags() {
  std::string out;
  for (const auto& [name, flag] : kFlagNames) {
    if (!out.empty()) out += ' ';
    out += name;
  }
  return out;
}

std::string restrict_flags_to_string(std::uint32_t flags) {
  std::string out;
  for (const auto& [name, flag] : kFlagNames) {
    if (!(flags & flag)) continue;
    if (!out.empty()) out += ' ';
    out += name;
  }
  return out.empty() ? "none" : out;
}

RestrictTable::RestrictTable() : nodes_(2) {}

void RestrictTable::add(const IpPrefix& prefix, std::uint32_t flags) {
  std::int32_t node = prefix.address.family == IpFamily::v4 ? 0 : 1;
  for (int i = 0; i < prefix.length; ++i) {
    const int b = prefix.address.bit(i);
    if (nodes_[static_cast<std::size_t>(node)].child[b] < 0) {
      nodes_[static_cast<std::size_t>(node)].child[b] = static_cast<std::int32_t>(nodes_.size());
      nodes_.emplace_back();
    }
    node = nodes_[static_cast<std::size_t>(node)].child[b];
  }
  std::int32_t& slot = (flags & restrict_flag::ntpport)
                           ? nodes_[static_cast<std::size_t>(node)].ntpport_entry
                           : nodes_[static_cast<std::size_t>(node)].entry;
  if (slot < 0) {
    slot = static_cast<std::int32_t>(entries_.size());
    entries_.push_back({prefix, 0});
  }
  entries_[static_cast<std::size_t>(slot)].flags |= flags;
}

RestrictMatch RestrictTable::match(const IpAddress& raw_source, std::uint16_t source_port) const {
  const IpAddress source = raw_source.unmapped();
  std::int32_t node = source.family == IpFamily::v4 ? 0 : 1;
  std::int32_t best = -1;
  const bool from_ntp_port = source_port == kNtpPort;
  for (int i = 0;; ++i) {
    const Node& n = nodes_[static_cast<std::size_t>(node)];
    if (from_ntp_port && n.ntpport_entry >= 0) {
      best = n.ntpport_entry;
    } else if (n.entry >= 0) {
      best = n.entry;
    }
    if (i == source.bit_count()) break;
    node = n.child[source.bit(i)];
    if (node < 0) break;
  }
  if (best < 0) return {};
  return {entries_[static_cast<std::size_t>(best)].flags & ~restrict_flag::ntpport, best};
}

}  // namespace stratumd
