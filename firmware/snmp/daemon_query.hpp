// Reads the daemon's state as ntpq does: mode 6 READSTAT and READVAR over UDP to its NTP port on
// the loopback, each answer reassembled from its fragments. Bounded: every request waits at most
// `timeout`, and a daemon that does not answer reads as not running.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "drivers/os/unique_fd.hpp"
#include "firmware/snmp/daemon_readout.hpp"

namespace stratumd {

class DaemonQuery {
 public:
  // `address`: numeric IPv4 or IPv6 address of the daemon (its NTP port, `port`).
  DaemonQuery(const std::string& address, std::uint16_t port, std::chrono::milliseconds timeout);
  DaemonReadout read();
  // Why the last read() found the daemon not answering ("" when it answered).
  const std::string& problem() const { return problem_; }

 private:
  std::optional<std::string> request(std::uint8_t opcode, std::uint16_t association,
                                     const std::string& data, std::uint16_t* status);
  UniqueFd socket_;
  std::chrono::milliseconds timeout_;
  std::uint16_t sequence_ = 0;
  std::string problem_;
};

}  // namespace stratumd
