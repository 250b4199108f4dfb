// `manycastclient GROUP [key N] [ttl T] [minpoll P] …`: discovers servers by sending client
// requests to a multicast group; every server that answers (from its own unicast address, with
// our request's transmit time as origin, synchronised, authenticated with key N when one is
// given) is handed to the owner, which makes it an ordinary upstream association. Discovery goes
// on at 2^minpoll s while fewer than the wanted servers are known.
#pragma once

#include <functional>
#include <optional>

#include "drivers/net/client_socket.hpp"
#include "drivers/net/network_association.hpp"

namespace stratumd {

class ManycastClient {
 public:
  // Called with this client's own line (the configuration it was made from may be reloaded).
  using Discovered = std::function<void(const AssociationLine& line, const IpAddress& server)>;
  // How many servers from this line are in use now.
  using InUse = std::function<std::size_t(const AssociationLine& line)>;

  ManycastClient(const AssociationContext& context, const AssociationLine& config,
                 const SocketAddress& group, std::size_t wanted, InUse in_use,
                 Discovered discovered);
  ~ManycastClient();
  ManycastClient(const ManycastClient&) = delete;
  ManycastClient& operator=(const ManycastClient&) = delete;

  void start();
  const AssociationLine& config() const { return config_; }

 private:
  void solicit();
  void reply(std::span<const std::uint8_t> bytes, UtcTime t4, const SocketAddress& from);

  const AssociationContext& context_;
  AssociationLine config_;
  std::size_t wanted_;
  InUse in_use_;
  Discovered discovered_;
  ClientSocket socket_;
  std::optional<NtpTimestamp> last_sent_;
  int burst_left_ = 0;
};

}  // namespace stratumd
