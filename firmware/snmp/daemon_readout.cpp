#include "firmware/snmp/daemon_readout.hpp"

#include <algorithm>

namespace stratumd {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\r' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\r' || s.back() == '\n' || s.back() == '\0'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

VariableList parse_variable_list(std::string_view text) {
  VariableList out;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t start = i;
    bool quoted = false;
    while (i < text.size() && (quoted || text[i] != ',')) {
      if (text[i] == '"') quoted = !quoted;
      ++i;
    }
    const std::string_view item = trim(text.substr(start, i - start));
    ++i;  // past the comma
    if (item.empty()) continue;
    const std::size_t equals = item.find('=');
    const std::string_view name = trim(item.substr(0, equals));
    std::string_view value =
        equals == std::string_view::npos ? std::string_view{} : trim(item.substr(equals + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
      value = value.substr(1, value.size() - 2);
    out.insert_or_assign(std::string(name), std::string(value));
  }
  return out;
}

std::vector<std::uint8_t> mode6_request(std::uint8_t opcode, std::uint16_t sequence,
                                        std::uint16_t association, std::string_view data) {
  std::vector<std::uint8_t> packet(12 + (data.size() + 3) / 4 * 4, 0);
  packet[0] = (2 << 3) | 6;
  packet[1] = opcode & 0x1F;
  packet[2] = static_cast<std::uint8_t>(sequence >> 8);
  packet[3] = static_cast<std::uint8_t>(sequence);
  packet[6] = static_cast<std::uint8_t>(association >> 8);
  packet[7] = static_cast<std::uint8_t>(association);
  packet[10] = static_cast<std::uint8_t>(data.size() >> 8);
  packet[11] = static_cast<std::uint8_t>(data.size());
  std::copy(data.begin(), data.end(), packet.begin() + 12);
  return packet;
}

Mode6Answer::Take Mode6Answer::take(const std::uint8_t* d, std::size_t size) {
  if (size < 12 || (d[0] & 0x7) != 6) return Take::ignored;
  const bool response = (d[1] & 0x80) != 0, error = (d[1] & 0x40) != 0, more = (d[1] & 0x20) != 0;
  const std::uint16_t sequence = static_cast<std::uint16_t>(d[2] << 8 | d[3]);
  if (!response || (d[1] & 0x1F) != opcode_ || sequence != sequence_) return Take::ignored;
  status_ = static_cast<std::uint16_t>(d[4] << 8 | d[5]);
  if (error) return Take::error;
  const std::size_t offset = static_cast<std::size_t>(d[8] << 8 | d[9]);
  const std::size_t count = static_cast<std::size_t>(d[10] << 8 | d[11]);
  if (12 + count > size || offset + count > 0xFFFF) return Take::ignored;
  if (data_.size() < offset + count) {
    data_.resize(offset + count);
    have_.resize(offset + count, false);
  }
  std::copy(d + 12, d + 12 + count, data_.begin() + static_cast<std::ptrdiff_t>(offset));
  std::fill(have_.begin() + static_cast<std::ptrdiff_t>(offset),
            have_.begin() + static_cast<std::ptrdiff_t>(offset + count), true);
  if (!more) total_ = offset + count;
  if (total_ && std::all_of(have_.begin(), have_.begin() + static_cast<std::ptrdiff_t>(*total_),
                            [](bool b) { return b; })) {
    data_.resize(*total_);
    return Take::complete;
  }
  return Take::more;
}

}  // namespace stratumd
