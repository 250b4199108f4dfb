// The main thread's event loop: file descriptors and one-shot timers, over epoll (default) or
// plain poll() (for running under a clock-and-network simulator that intercepts poll only).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <vector>

#include "drivers/os/unique_fd.hpp"

namespace stratumd {

enum class IoBackend { epoll, poll };

class EventLoop {
 public:
  using Callback = std::function<void()>;
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit EventLoop(IoBackend backend);

  void watch_readable(int fd, Callback on_readable);
  void unwatch(int fd);

  // One-shot; the callback may schedule the next one.
  void call_at(TimePoint when, Callback callback);
  void call_after(std::chrono::nanoseconds delay, Callback callback) {
    call_at(std::chrono::steady_clock::now() + delay, std::move(callback));
  }

  // Runs until stop() is called from a callback.
  void run();
  void stop() { running_ = false; }

  IoBackend backend() const { return backend_; }

 private:
  int next_timeout_ms() const;
  void run_due_timers();
  void wait_epoll(int timeout_ms);
  void wait_poll(int timeout_ms);

  IoBackend backend_;
  UniqueFd epoll_fd_;
  std::map<int, Callback> watched_;
  std::multimap<TimePoint, Callback> timers_;
  bool running_ = false;
};

}  // namespace stratumd
