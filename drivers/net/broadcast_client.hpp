// One broadcaster heard by `broadcastclient` / `multicastclient`: its mode-5 packets become
// samples once the one-way delay is known. Unless `novolley`, a few client-mode exchanges with
// the broadcaster measure it first (ntpd's initial volley; half the shortest round trip), else
// `broadcastdelay` stands in. The reach register shifts every broadcast interval; eight silent
// intervals and the association ends.
#pragma once

#include <memory>

#include "drivers/net/association_inbox.hpp"
#include "drivers/net/client_socket.hpp"
#include "drivers/net/network_association.hpp"

namespace stratumd {

class BroadcastClient : public NetworkAssociation {
 public:
  BroadcastClient(const AssociationContext& context, const AssociationLine& config,
                  const SocketAddress& broadcaster, double broadcast_delay);
  ~BroadcastClient() override;
  BroadcastClient(const BroadcastClient&) = delete;
  BroadcastClient& operator=(const BroadcastClient&) = delete;

  void on_packet(const InboundPacket& packet);
  bool expired() const { return silent_intervals_ >= 8; }
  const IpAddress& broadcaster() const { return broadcaster_.ip; }

  const UpstreamStatus& status() const override { return status_; }
  const AssociationLine& config() const override { return config_; }
  void clock_stepped() override {
    filter_.clear();
    status_.filtered.reset();
  }

 private:
  void volley();
  void calibration_reply(std::span<const std::uint8_t> bytes, UtcTime t4);
  void tick();

  const AssociationContext& context_;
  AssociationLine config_;
  SocketAddress broadcaster_;
  std::unique_ptr<ClientSocket> calibration_;
  ClientOnWire calibration_wire_;
  int volley_left_ = 0;
  std::optional<double> shortest_round_trip_;
  double one_way_delay_;
  bool calibrating_ = false;
  BroadcastOnWire wire_;
  ClockFilter filter_;
  UpstreamStatus status_;
  bool ticking_ = false;
  bool heard_this_interval_ = false;
  int silent_intervals_ = 0;
  bool said_bad_auth_ = false;
};

}  // namespace stratumd
