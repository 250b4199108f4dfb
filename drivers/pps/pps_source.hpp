// A source of PPS edges. Each adapter knows which kernel clock its hardware stamps are taken on
// (kernel PPS: CLOCK_REALTIME; libgpiod line events: CLOCK_MONOTONIC) and hands them up as they
// are, through the RefclockSink it was given.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "drivers/os/event_loop.hpp"
#include "firmware/clock/clock.hpp"
#include "refclock/refclock_sink.hpp"

namespace stratumd {

class PpsSource {
 public:
  using Log = std::function<void(const std::string&)>;
  virtual ~PpsSource() = default;
  virtual void start() = 0;
  virtual const std::string& name() const = 0;
};

// Reports "no edges for N s" once when edges stop, and once again when they return.
class EdgeWatchdog {
 public:
  EdgeWatchdog(std::string name, std::chrono::seconds limit, PpsSource::Log log)
      : name_(std::move(name)), limit_(limit), log_(std::move(log)) {}
  ~EdgeWatchdog();
  EdgeWatchdog(const EdgeWatchdog&) = delete;
  EdgeWatchdog& operator=(const EdgeWatchdog&) = delete;

  void edge(std::chrono::steady_clock::time_point now);
  void check(std::chrono::steady_clock::time_point now);
  // Checks once a second on `loop`, for sources woken only by edges (GPIO, DCD): silence
  // wakes nothing else that would notice it.
  void check_every_second(EventLoop& loop);

 private:
  EventLoop* loop_ = nullptr;
  std::string name_;
  std::chrono::seconds limit_;
  PpsSource::Log log_;
  std::chrono::steady_clock::time_point last_edge_ = std::chrono::steady_clock::now();
  bool silent_ = false;
};

}  // namespace stratumd
