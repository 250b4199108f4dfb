// gpsd as a reference clock through its client library (libgps; Debian 12 ships API 11): TOFF
// reports give serial time (the GPS second and the system clock when its sentence arrived), PPS
// reports give the edge; both are carried from CLOCK_REALTIME onto the served clock. ntpd's
// GPSD_JSON modes: 0 serial time only, 1 PPS only, 2 PPS while it comes, else serial time.
// Reconnects with back-off when gpsd restarts.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "drivers/gpsd/libgps_library.hpp"
#include "drivers/os/event_loop.hpp"
#include "refclock/ref_sample.hpp"
#include "refclock/refclock_sink.hpp"

namespace stratumd {

struct GpsdCounters {
  std::uint64_t reports = 0;
  std::uint64_t toff = 0;
  std::uint64_t pps = 0;
  std::uint64_t connects = 0;
};

class GpsdClient {
 public:
  using Log = std::function<void(const std::string&)>;
  // Throws std::runtime_error when libgps cannot be loaded.
  GpsdClient(EventLoop& loop, RefclockSink& sink, std::string host, std::string port, int mode,
             Log log);
  ~GpsdClient();

  void start() { connect(); }
  const GpsdCounters& counters() const { return counters_; }

 private:
  void connect();
  void disconnect(const std::string& why);
  void on_readable();
  void deliver(std::int64_t gps_time_ns, std::int64_t system_time_ns, bool is_pps);

  EventLoop& loop_;
  RefclockSink& sink_;
  std::string host_;
  std::string port_;
  int mode_;
  Log log_;
  const LibgpsFunctions& gps_;
  // libgps' state lives behind a pointer: on 32-bit targets only gpsd_client.cpp is built with the
  // library's time_t (CMakeLists.txt), so no other file may see the struct's layout.
  std::unique_ptr<gps_data_t> data_;
  bool connected_ = false;
  std::chrono::seconds backoff_{1};
  std::string last_problem_;
  std::optional<std::chrono::steady_clock::time_point> last_pps_;
  GpsdCounters counters_;
};

}  // namespace stratumd
