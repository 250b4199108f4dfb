// The state machine of one broadcaster heard by `broadcastclient` / `multicastclient`: its mode-5
// packets become samples once the one-way delay is known. Unless `novolley`, a few client-mode
// exchanges with the broadcaster measure it first (ntpd's initial volley; half the shortest
// round trip), else `broadcastdelay` stands in. The reach register shifts every broadcast
// interval; eight silent intervals and the association ends. Sans-IO: the volley's requests and
// both schedules (the volley's timer, the reach's interval) are actions for the runner.
#pragma once

#include <array>
#include <optional>
#include <span>

#include "firmware/ntp/association_state.hpp"

namespace stratumd {

class BroadcastClientAssociation {
 public:
  // `calibrate`: the volley can be sent (not `novolley`, and a socket to the broadcaster exists).
  BroadcastClientAssociation(const AssociationCore& core, const AssociationLine& config,
                             const IpAddress& broadcaster, double broadcast_delay, bool calibrate);

  AssociationActions start(UtcTime now);
  // The volley's next request, or its end.
  AssociationActions on_timer(UtcTime now);
  // A broadcast interval passed: the reach register shifts.
  AssociationActions on_interval();
  void transmitting(UtcTime t1) { calibration_wire_.sent(request_transmit_, t1); }
  void transmitted() {}
  // A reply to the volley, `t4` its arrival on our clock.
  void on_calibration_reply(std::span<const std::uint8_t> bytes, UtcTime t4);
  // A broadcast, `arrival` on our clock.
  AssociationActions on_packet(std::span<const std::uint8_t> bytes, UtcTime arrival);

  bool expired() const { return silent_intervals_ >= 8; }
  double one_way_delay() const { return one_way_delay_; }
  const UpstreamStatus& status() const { return status_; }
  const AssociationLine& config() const { return config_; }
  void clock_stepped(Nanoseconds step) { shift_samples(status_, filter_, step); }

 private:
  const AssociationCore& core_;
  AssociationLine config_;
  ClientOnWire calibration_wire_;
  std::array<std::uint8_t, kMaxSentPacket> request_{};
  NtpTimestamp request_transmit_{};
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
