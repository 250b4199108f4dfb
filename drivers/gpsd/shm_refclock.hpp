// Reads ntpd's SHM segment (key 0x4E545030 + unit), which gpsd fills: units 0-1 are created mode
// 0600, 2 and up 0666, as ntpd does. Polled once a second with the count/valid protocol; each
// sample's receive stamp (the writer's CLOCK_REALTIME) is carried onto the served clock.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "drivers/os/event_loop.hpp"
#include "refclock/ntp_shm.hpp"
#include "refclock/ref_sample.hpp"
#include "refclock/refclock_sink.hpp"

namespace stratumd {

struct ShmCounters {
  std::uint64_t samples = 0;
  std::uint64_t not_valid = 0;
  std::uint64_t torn = 0;
  std::uint64_t too_far = 0;
  std::uint64_t bad = 0;
};

class ShmRefclock {
 public:
  using Log = std::function<void(const std::string&)>;
  // Throws std::runtime_error when the segment cannot be created or attached.
  ShmRefclock(EventLoop& loop, RefclockSink& sink, int unit,
              std::optional<Nanoseconds> max_difference, Log log);
  ~ShmRefclock();

  void start() { poll(); }
  const ShmCounters& counters() const { return counters_; }
  std::string name() const { return "SHM(" + std::to_string(unit_) + ")"; }

 private:
  void poll();

  EventLoop& loop_;
  RefclockSink& sink_;
  int unit_;
  std::optional<Nanoseconds> max_difference_;
  Log log_;
  NtpShmTime* segment_ = nullptr;
  ShmCounters counters_;
  bool reported_too_far_ = false;
};

}  // namespace stratumd
