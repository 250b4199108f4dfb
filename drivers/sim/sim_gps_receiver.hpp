// A simulated GPS receiver with a PPS output, for running without hardware. True time is the
// host's CLOCK_REALTIME; each true second it produces an edge stamped on the served clock with
// Gaussian jitter (like a GPIO interrupt), then, after a receiver delay, RMC/GGA/ZDA sentences
// naming that second as the bytes a 9600-baud UART would deliver, read in one chunk when the last
// byte has arrived. They go through the same NMEA path as a real receiver's.
#pragma once

#include <cstdint>
#include <functional>
#include <random>
#include <span>
#include <string>

#include "drivers/os/event_loop.hpp"
#include "firmware/clock/clock.hpp"
#include "refclock/ref_sample.hpp"

namespace stratumd {

struct SimReceiverParams {
  Nanoseconds edge_jitter = std::chrono::nanoseconds{1000};  // 1 sigma, GPIO-like
  Nanoseconds label_delay = std::chrono::milliseconds{150};  // first sentence after the edge
  Nanoseconds label_delay_spread = std::chrono::microseconds{500};
  int baud = 9600;
  std::uint64_t seed = 0x5eed;
};

class SimGpsReceiver {
 public:
  SimGpsReceiver(EventLoop& loop, const Clock& served_clock, SimReceiverParams params,
                 std::function<void(const PpsEdge&)> on_edge,
                 std::function<void(std::span<const std::uint8_t>, UtcTime)> on_bytes);
  ~SimGpsReceiver();
  SimGpsReceiver(const SimGpsReceiver&) = delete;
  SimGpsReceiver& operator=(const SimGpsReceiver&) = delete;

  void start();

 private:
  void schedule_next_edge();
  void emit_edge();

  EventLoop& loop_;
  const Clock& clock_;
  SimReceiverParams params_;
  std::function<void(const PpsEdge&)> on_edge_;
  std::function<void(std::span<const std::uint8_t>, UtcTime)> on_bytes_;
  std::mt19937_64 rng_;
  std::normal_distribution<double> unit_normal_{0.0, 1.0};
};

// The sentences a receiver sends for one UTC second: RMC, GGA and ZDA with a 3D fix, CR LF each.
std::string simulated_nmea_cycle(std::int64_t unix_second);

}  // namespace stratumd
