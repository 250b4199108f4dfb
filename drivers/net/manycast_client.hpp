// A manycast client (firmware/ntp/manycast_association.hpp) with its unconnected socket, so that
// every responder's reply arrives with its address.
#pragma once

#include <functional>

#include "drivers/net/association_runner.hpp"
#include "drivers/net/client_socket.hpp"
#include "firmware/ntp/manycast_association.hpp"

namespace stratumd {

class ManycastClient {
 public:
  // Called with this client's own line (the configuration it was made from may be reloaded).
  using Discovered = std::function<void(const AssociationLine& line, const IpAddress& server)>;
  using InUse = ManycastAssociation::InUse;

  // Throws std::runtime_error when the socket cannot be set up.
  ManycastClient(const AssociationContext& context, const AssociationLine& config,
                 const SocketAddress& group, std::size_t wanted, InUse in_use,
                 Discovered discovered);

  void start() { runner_.start(); }
  const AssociationLine& config() const { return machine_.config(); }

 private:
  ManycastAssociation machine_;
  Discovered discovered_;
  ClientSocket socket_;
  AssociationRunner<ManycastAssociation> runner_;
};

}  // namespace stratumd
