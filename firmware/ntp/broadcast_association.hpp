// The state machine of `broadcast ADDRESS [key N] [ttl T] [minpoll P]`: mode-5 packets to a
// subnet's broadcast address or a multicast group (224.0.1.1, ff05::101) every 2^minpoll seconds
// while our clock is synchronised (ntpd sends nothing unsynchronised), signed when a key is
// given. Sans-IO: the runner sends from port 123 and keeps the timer.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>

#include "firmware/ntp/association_state.hpp"
#include "firmware/ntp/peer_association.hpp"

namespace stratumd {

class BroadcastAssociation {
 public:
  BroadcastAssociation(const AssociationCore& core, const AssociationLine& config,
                       std::string destination, SnapshotSource snapshot);

  AssociationActions start(UtcTime now) { return on_timer(now); }
  AssociationActions on_timer(UtcTime now);
  void transmitting(UtcTime) {}  // T3 is in the packet itself
  void transmitted() { ++sent_; }

  std::uint64_t sent() const { return sent_; }
  const AssociationLine& config() const { return config_; }

 private:
  const AssociationCore& core_;
  AssociationLine config_;
  std::string destination_;
  SnapshotSource snapshot_;
  std::array<std::uint8_t, kMaxSentPacket> packet_{};
  std::uint64_t sent_ = 0;
  bool said_no_key_ = false;
};

}  // namespace stratumd
