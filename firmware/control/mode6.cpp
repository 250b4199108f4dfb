#include "firmware/control/mode6.hpp"

namespace stratumd::mode6_detail {

bool parse(std::span<const std::uint8_t> b, Request& out) {
  if (b.size() < kMode6HeaderSize) return false;
  if ((b[0] & 0x7) != 6) return false;
  out.version = static_cast<std::uint8_t>((b[0] >> 3) & 0x7);
  if (out.version < 1 || out.version > 4) return false;
  if (b[1] & 0x80) return false;  // a response, not a request
  out.opcode = b[1] & 0x1F;
  out.sequence = static_cast<std::uint16_t>((b[2] << 8) | b[3]);
  out.association = static_cast<std::uint16_t>((b[6] << 8) | b[7]);
  const std::size_t count = static_cast<std::size_t>((b[10] << 8) | b[11]);
  if (kMode6HeaderSize + count > b.size()) return false;
  out.data = std::string_view(reinterpret_cast<const char*>(b.data()) + kMode6HeaderSize, count);
  return true;
}

namespace {

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\0';
}

// Next comma-separated item of `text` from `pos`, commas inside quotes included.
std::string_view next_item(std::string_view text, std::size_t& pos) {
  const std::size_t start = pos;
  bool quoted = false;
  while (pos < text.size() && (quoted || text[pos] != ',')) {
    if (text[pos] == '"') quoted = !quoted;
    ++pos;
  }
  const std::string_view item = text.substr(start, pos - start);
  if (pos < text.size()) ++pos;  // the comma
  return trim(item);
}

}  // namespace

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

std::size_t select_variables(std::string_view all, std::string_view wanted, std::span<char> out,
                             bool& unknown) {
  unknown = false;
  wanted = trim(wanted);
  std::size_t length = 0;
  const auto append = [&](std::string_view text) {
    for (const char c : text) {
      if (length < out.size()) out[length++] = c;
    }
  };
  if (wanted.empty()) {
    append(all);
    return length;
  }
  std::size_t want_pos = 0;
  while (want_pos < wanted.size()) {
    std::string_view name = next_item(wanted, want_pos);
    name = name.substr(0, name.find('='));  // "name=value" asks for the name
    if (name.empty()) continue;
    bool found = false;
    std::size_t pos = 0;
    while (pos < all.size() && !found) {
      const std::string_view item = next_item(all, pos);
      if (item.substr(0, item.find('=')) == name) {
        if (length) append(", ");
        append(item);
        found = true;
      }
    }
    // ntpd leaves its leap-table variables out when it has no table, and says nothing of them.
    const bool may_be_absent = name == "tai" || name == "leapsec" || name == "expire";
    if (!found && !may_be_absent) {
      unknown = true;
      return 0;
    }
  }
  return length;
}

std::size_t build_fragment(const Request& r, bool error, bool more, std::uint16_t status,
                           std::uint16_t offset, std::string_view data,
                           std::span<std::uint8_t> out) {
  out[0] = static_cast<std::uint8_t>((r.version << 3) | 6);  // LI 0, the request's version, mode 6
  out[1] = static_cast<std::uint8_t>(0x80 | (error ? 0x40 : 0) | (more ? 0x20 : 0) | r.opcode);
  out[2] = static_cast<std::uint8_t>(r.sequence >> 8);
  out[3] = static_cast<std::uint8_t>(r.sequence);
  out[4] = static_cast<std::uint8_t>(status >> 8);
  out[5] = static_cast<std::uint8_t>(status);
  out[6] = static_cast<std::uint8_t>(r.association >> 8);
  out[7] = static_cast<std::uint8_t>(r.association);
  out[8] = static_cast<std::uint8_t>(offset >> 8);
  out[9] = static_cast<std::uint8_t>(offset);
  out[10] = static_cast<std::uint8_t>(data.size() >> 8);
  out[11] = static_cast<std::uint8_t>(data.size());
  std::size_t length = kMode6HeaderSize;
  for (const char c : data) out[length++] = static_cast<std::uint8_t>(c);
  while (length % 4) out[length++] = 0;  // data padded to a multiple of 4
  return length;
}

}  // namespace stratumd::mode6_detail
