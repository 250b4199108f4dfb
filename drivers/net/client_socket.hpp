// A UDP socket for client-mode requests to one destination: replies arrive stamped with the
// kernel's receive time carried onto our clock (T4), so the main loop's latency does not count as
// network delay. Connected to a server (upstream associations, the broadcast client's delay
// calibration), or, for a multicast group (manycast), unconnected so that every responder's
// reply arrives, with its address.
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
  using Received = std::function<void(std::span<const std::uint8_t> bytes, UtcTime t4,
                                      const SocketAddress& from)>;
  enum class Kind { server, group };

  // Throws std::runtime_error when the socket cannot be set up.
  ClientSocket(EventLoop& loop, const Clock& clock, const SocketAddress& destination,
               Received received, Kind kind = Kind::server);
  ~ClientSocket();
  ClientSocket(const ClientSocket&) = delete;
  ClientSocket& operator=(const ClientSocket&) = delete;

  bool send(std::span<const std::uint8_t> bytes) const;
  // Multicast hops for a group destination.
  void set_multicast_ttl(int ttl) const;

 private:
  void receive();

  EventLoop& loop_;
  bool connected_ = false;
  const Clock& clock_;
  Received received_;
  SocketAddress destination_;
  UniqueFd fd_;
};

}  // namespace stratumd
