#include "drivers/sim/sim_gps_receiver.hpp"

#include <chrono>
#include <cstdio>

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
                               std::function<void(std::span<const std::uint8_t>, UtcTime)> on_bytes)
    : loop_(loop),
      clock_(served_clock),
      params_(params),
      on_edge_(std::move(on_edge)),
      on_bytes_(std::move(on_bytes)),
      rng_(params.seed) {}

void SimGpsReceiver::start() {
  schedule_next_edge();
}

void SimGpsReceiver::schedule_next_edge() {
  const std::int64_t now_ns = kernel_realtime_now().time_since_epoch().count();
  const std::int64_t to_next_second = kNsPerSecond - now_ns % kNsPerSecond;
  loop_.call_after(
      Nanoseconds{to_next_second} + kHandlingLatency, [this] { emit_edge(); }, this);
}

void SimGpsReceiver::emit_edge() {
  // Read both clocks back to back, then project the served clock back to the true edge instant.
  const UtcTime served_now = clock_.now();
  const std::int64_t true_now_ns = kernel_realtime_now().time_since_epoch().count();
  const std::int64_t edge_second = true_now_ns / kNsPerSecond;
  const Nanoseconds since_edge{true_now_ns - edge_second * kNsPerSecond};
  const Nanoseconds jitter = from_seconds(to_seconds(params_.edge_jitter) * unit_normal_(rng_));
  on_edge_(PpsEdge{served_now - since_edge + jitter});

  // The sentences start `delay` after the edge and arrive at the baud rate; the driver reads
  // them once the last byte is in.
  const Nanoseconds delay =
      params_.label_delay +
      from_seconds(to_seconds(params_.label_delay_spread) * unit_normal_(rng_));
  const std::string text = simulated_nmea_cycle(edge_second);
  const Nanoseconds transfer =
      Nanoseconds{10'000'000'000LL / params_.baud} * static_cast<std::int64_t>(text.size());
  loop_.call_after(
      delay + transfer - since_edge,
      [this, text] {
        on_bytes_(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()),
                  clock_.now());
      },
      this);
  schedule_next_edge();
}

std::string simulated_nmea_cycle(std::int64_t unix_second) {
  using namespace std::chrono;
  const sys_seconds t{seconds{unix_second}};
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss hms{t - day};
  char time_of_day[16], ddmmyy[16], dd_mm_yyyy[16];
  std::snprintf(time_of_day, sizeof time_of_day, "%02d%02d%02d.00",
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  std::snprintf(ddmmyy, sizeof ddmmyy, "%02u%02u%02d", unsigned(ymd.day()), unsigned(ymd.month()),
                int(ymd.year()) % 100);
  std::snprintf(dd_mm_yyyy, sizeof dd_mm_yyyy, "%02u,%02u,%04d", unsigned(ymd.day()),
                unsigned(ymd.month()), int(ymd.year()));
  const auto sentence = [](const std::string& body) {
    unsigned sum = 0;
    for (const char c : body) sum ^= static_cast<unsigned char>(c);
    char tail[8];
    std::snprintf(tail, sizeof tail, "*%02X\r\n", sum);
    return "$" + body + tail;
  };
  return sentence(std::string("GPRMC,") + time_of_day + ",A,4404.13387,N,12118.85628,W,0.029,," +
                  ddmmyy + ",,,A") +
         sentence(std::string("GPGGA,") + time_of_day +
                  ",4404.13387,N,12118.85628,W,1,12,1.01,1144.8,M,-21.4,M,,") +
         sentence(std::string("GPZDA,") + time_of_day + "," + dd_mm_yyyy + ",00,00");
}

SimGpsReceiver::~SimGpsReceiver() {
  loop_.cancel_timers(this);
}

}  // namespace stratumd
