// A simulated GPS receiver with a PPS output, for running without hardware. True time is the
// host's CLOCK_REALTIME; each true second it produces an edge stamped on the served clock with
// Gaussian jitter (like a GPIO interrupt), then, after a serial-like delay, a label naming that
// second (like the NMEA sentence that follows the pulse).
#pragma once

#include <functional>
#include <random>

#include "drivers/os/event_loop.hpp"
#include "firmware/clock/clock.hpp"
#include "refclock/ref_sample.hpp"

namespace stratumd {

struct SimReceiverParams {
  Nanoseconds edge_jitter = std::chrono::nanoseconds{1000};  // 1 sigma, GPIO-like
  Nanoseconds label_delay = std::chrono::milliseconds{150};  // sentence after the edge
  Nanoseconds label_delay_spread = std::chrono::milliseconds{5};
  std::uint64_t seed = 0x5eed;
};

class SimGpsReceiver {
 public:
  SimGpsReceiver(EventLoop& loop, const Clock& served_clock, SimReceiverParams params,
                 std::function<void(const PpsEdge&)> on_edge,
                 std::function<void(const TimeLabel&)> on_label);

  void start();

 private:
  void schedule_next_edge();
  void emit_edge();

  EventLoop& loop_;
  const Clock& clock_;
  SimReceiverParams params_;
  std::function<void(const PpsEdge&)> on_edge_;
  std::function<void(const TimeLabel&)> on_label_;
  std::mt19937_64 rng_;
  std::normal_distribution<double> unit_normal_{0.0, 1.0};
};

}  // namespace stratumd
