// What the SNMP subagent knows of the daemon: its mode 6 answers as text, read over the loopback
// the way ntpq reads them. Pure: parsing "name=value, name=\"text\"" lists, and building the
// READSTAT/READVAR requests and reassembling their fragmented answers.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stratumd {

using VariableList = std::map<std::string, std::string, std::less<>>;

// ntpd's variable text: comma-separated `name=value`; quoted values lose their quotes and may
// hold commas. A name without `=` gets an empty value.
VariableList parse_variable_list(std::string_view text);

struct AssociationReadout {
  std::uint16_t id = 0;
  std::uint16_t status = 0;  // ntpd's peer status word (selection in bits 8-10)
  VariableList variables;
};

struct DaemonReadout {
  bool answered = false;  // false: nothing else is meaningful (the daemon is not running)
  std::uint16_t system_status = 0;
  VariableList system;  // the default READVAR list plus the named counters asked for
  std::vector<AssociationReadout> associations;
};

// One mode 6 request datagram (NTP version 2, as ntpq sends), `data` padded to 4 bytes.
std::vector<std::uint8_t> mode6_request(std::uint8_t opcode, std::uint16_t sequence,
                                        std::uint16_t association, std::string_view data);

// Collects the fragments of one answer (ntpd splits at 468 bytes, More bit on all but the last),
// in whatever order they arrive; complete() once the last fragment and every byte before it came.
class Mode6Answer {
 public:
  Mode6Answer(std::uint8_t opcode, std::uint16_t sequence) : opcode_(opcode), sequence_(sequence) {}
  enum class Take { ignored, more, complete, error };
  // `ignored`: not an answer to this request (another sequence, opcode, mode, or malformed).
  Take take(const std::uint8_t* datagram, std::size_t size);
  std::uint16_t status() const { return status_; }
  std::uint16_t error_code() const { return static_cast<std::uint16_t>(status_ >> 8); }
  const std::string& data() const { return data_; }

 private:
  std::uint8_t opcode_;
  std::uint16_t sequence_;
  std::uint16_t status_ = 0;
  std::string data_;
  std::vector<bool> have_;
  std::optional<std::size_t> total_;
};

}  // namespace stratumd
