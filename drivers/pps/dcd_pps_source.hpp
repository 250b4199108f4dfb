// PPS on a serial port's DCD line (receivers that wire their pulse to carrier detect, where no
// kernel PPS line discipline is set up). A thread waits in TIOCMIWAIT and stamps the change on
// CLOCK_REALTIME at once; the stamp is handed to the main loop through an eventfd and carried
// onto the served clock there. Less exact than kernel PPS (the wake-up latency is in the stamp).
#pragma once

#include <array>
#include <atomic>
#include <mutex>
#include <thread>

#include "drivers/os/unique_fd.hpp"
#include "drivers/pps/pps_source.hpp"
#include "refclock/refclock_sink.hpp"

namespace stratumd {

class DcdPpsSource final : public PpsSource {
 public:
  // Throws std::runtime_error when the device cannot be opened or does not report modem lines.
  DcdPpsSource(EventLoop& loop, RefclockSink& sink, std::string path, bool clear_edge, Log log);
  ~DcdPpsSource() override;

  void start() override;
  const std::string& name() const override { return path_; }

 private:
  void wait_for_edges();
  void deliver();

  EventLoop& loop_;
  RefclockSink& sink_;
  std::string path_;
  bool clear_edge_;
  Log log_;
  UniqueFd fd_;
  UniqueFd wakeup_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;  // guards the hand-off below (once a second: not a packet path)
  std::array<KernelRealtime, 8> pending_{};
  std::size_t pending_count_ = 0;
  EdgeWatchdog watchdog_;
};

}  // namespace stratumd
