// One upstream server association (firmware/ntp/client_association.hpp) with its UDP socket:
// replies are stamped with the kernel's receive time carried onto our clock.
#pragma once

#include "drivers/net/association_runner.hpp"
#include "drivers/net/client_socket.hpp"
#include "firmware/ntp/client_association.hpp"

namespace stratumd {

class UpstreamAssociation : public NetworkAssociation {
 public:
  // Throws std::runtime_error when the socket cannot be set up.
  UpstreamAssociation(const AssociationContext& context, const AssociationLine& config,
                      const SocketAddress& server);

  void start() { runner_.start(); }
  const UpstreamStatus& status() const override { return machine_.status(); }
  const AssociationLine& config() const override { return machine_.config(); }
  void clock_stepped(Nanoseconds step) override { machine_.clock_stepped(step); }
  void reconfigure(const AssociationLine& config) {
    runner_.reschedule(machine_.reconfigure(config));
  }
  int unanswered() const { return machine_.unanswered(); }

 private:
  ClientAssociation machine_;
  ClientSocket socket_;
  AssociationRunner<ClientAssociation> runner_;
};

}  // namespace stratumd
