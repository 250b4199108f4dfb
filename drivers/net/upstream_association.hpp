// One upstream server association (`server ADDRESS`, or one address of a `pool`): polls it over
// UDP as an NTP client — eight quick requests at start with `iburst` (and at each poll with
// `burst`), then every 2^poll seconds, the poll adapting between minpoll and maxpoll — stamps
// replies with the kernel's receive time, and runs them through the on-wire tests and the clock
// filter. With `key N` requests are signed and only replies authenticated with that key count.
// Keeps ntpd's reach register; backs off on a RATE kiss and stops on DENY or RSTR.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "drivers/net/client_socket.hpp"
#include "drivers/net/network_association.hpp"
#include "firmware/ntp/poll_adapter.hpp"

namespace stratumd {

class UpstreamAssociation : public NetworkAssociation {
 public:
  // Throws std::runtime_error when the socket cannot be set up.
  UpstreamAssociation(const AssociationContext& context, const AssociationLine& config,
                      const SocketAddress& server);
  ~UpstreamAssociation() override;
  UpstreamAssociation(const UpstreamAssociation&) = delete;
  UpstreamAssociation& operator=(const UpstreamAssociation&) = delete;

  void start();
  const UpstreamStatus& status() const override { return status_; }
  const AssociationLine& config() const override { return config_; }
  void clock_stepped() override {
    filter_.clear();
    status_.filtered.reset();
  }
  // Polls sent since the last reply (a pool member this long unanswered is replaced).
  int unanswered() const { return unanswered_; }

 private:
  void poll();
  void receive(std::span<const std::uint8_t> bytes, UtcTime t4);
  void schedule(std::chrono::nanoseconds delay);

  const AssociationContext& context_;
  AssociationLine config_;
  ClientSocket socket_;
  ClientOnWire wire_;
  ClockFilter filter_;
  PollAdapter poll_;
  UpstreamStatus status_;
  int burst_left_ = 0;
  int unanswered_ = 0;
  bool said_unreachable_ = false;
  bool said_no_key_ = false;
  bool said_bad_auth_ = false;
};

}  // namespace stratumd
