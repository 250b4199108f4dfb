// A UDP socket connected to one NTP server, for client-mode requests: replies arrive stamped with
// the kernel's receive time carried onto our clock (T4), so the main loop's latency does not
// count as network delay. The upstream associations and the broadcast client's delay
// calibration use it.
#pragma once

#include <cstdint>
#include <functional>
#include <span>

#include "drivers/net/socket_address.hpp"
#include "drivers/os/event_loop.hpp"
#include "drivers/os/unique_fd.hpp"
#include "firmware/clock/clock.hpp"

namespace stratumd {

class ClientSocket {
 public:
  using Received = std::function<void(std::span<const std::uint8_t> bytes, UtcTime t4)>;

  // Throws std::runtime_error when the socket cannot be set up.
  ClientSocket(EventLoop& loop, const Clock& clock, const SocketAddress& server, Received received);
  ~ClientSocket();
  ClientSocket(const ClientSocket&) = delete;
  ClientSocket& operator=(const ClientSocket&) = delete;

  bool send(std::span<const std::uint8_t> bytes) const;

 private:
  void receive();

  EventLoop& loop_;
  const Clock& clock_;
  Received received_;
  UniqueFd fd_;
};

}  // namespace stratumd
