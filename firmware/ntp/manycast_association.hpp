// The state machine of `manycastclient GROUP [key N] [ttl T] [minpoll P] …`: it discovers servers
// by sending client requests to a multicast group; every server that answers (from its own
// unicast address, with our request's transmit time as origin, synchronised, authenticated with
// key N when one is given) is named to the owner, which makes it an ordinary upstream
// association. Discovery goes on at 2^minpoll s while fewer than the wanted servers are known.
// Sans-IO: the runner sends to the group and keeps the timer.
#pragma once

#include <array>
#include <functional>
#include <optional>
#include <span>

#include "firmware/ntp/association_state.hpp"

namespace stratumd {

class ManycastAssociation {
 public:
  // How many servers from this line are in use now.
  using InUse = std::function<std::size_t(const AssociationLine& line)>;

  ManycastAssociation(const AssociationCore& core, const AssociationLine& config,
                      std::size_t wanted, InUse in_use);

  AssociationActions start(UtcTime now);
  AssociationActions on_timer(UtcTime now);
  void transmitting(UtcTime) {}
  void transmitted() { last_sent_ = pending_; }
  // A reply from `from`: the server to add, when it is one.
  std::optional<IpAddress> on_packet(std::span<const std::uint8_t> bytes, const IpAddress& from);

  const AssociationLine& config() const { return config_; }

 private:
  const AssociationCore& core_;
  AssociationLine config_;
  std::size_t wanted_;
  InUse in_use_;
  std::array<std::uint8_t, kMaxSentPacket> request_{};
  NtpTimestamp pending_{};
  std::optional<NtpTimestamp> last_sent_;
  int burst_left_ = 0;
};

}  // namespace stratumd
