#include "drivers/sim/sim_gps_receiver.hpp"

#include "drivers/clock/kernel_clocks.hpp"

namespace stratumd {
namespace {

constexpr std::int64_t kNsPerSecond = 1'000'000'000;

// Handling the edge a little after it happened is what a real interrupt handler does too; the
// stamp is still computed for the exact edge instant.
constexpr std::chrono::microseconds kHandlingLatency{200};

}  // namespace

SimGpsReceiver::SimGpsReceiver(EventLoop& loop, const Clock& served_clock, SimReceiverParams params,
                               std::function<void(const PpsEdge&)> on_edge,
                               std::function<void(const TimeLabel&)> on_label)
    : loop_(loop),
      clock_(served_clock),
      params_(params),
      on_edge_(std::move(on_edge)),
      on_label_(std::move(on_label)),
      rng_(params.seed) {}

void SimGpsReceiver::start() {
  schedule_next_edge();
}

void SimGpsReceiver::schedule_next_edge() {
  const std::int64_t now_ns = kernel_realtime_now().time_since_epoch().count();
  const std::int64_t to_next_second = kNsPerSecond - now_ns % kNsPerSecond;
  loop_.call_after(Nanoseconds{to_next_second} + kHandlingLatency, [this] { emit_edge(); });
}

void SimGpsReceiver::emit_edge() {
  // Read both clocks back to back, then project the served clock back to the true edge instant.
  const UtcTime served_now = clock_.now();
  const std::int64_t true_now_ns = kernel_realtime_now().time_since_epoch().count();
  const std::int64_t edge_second = true_now_ns / kNsPerSecond;
  const Nanoseconds since_edge{true_now_ns - edge_second * kNsPerSecond};
  const Nanoseconds jitter = from_seconds(to_seconds(params_.edge_jitter) * unit_normal_(rng_));
  on_edge_(PpsEdge{served_now - since_edge + jitter});

  const Nanoseconds delay =
      params_.label_delay +
      from_seconds(to_seconds(params_.label_delay_spread) * unit_normal_(rng_));
  loop_.call_after(delay - since_edge, [this, edge_second] {
    on_label_(TimeLabel{edge_second, clock_.now(), true, LeapIndicator::none});
  });
  schedule_next_edge();
}

}  // namespace stratumd
