// The main thread's event loop: file descriptors and one-shot timers, over epoll (default) or
// plain poll() (for running under a clock-and-network simulator that intercepts poll only).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
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

  // One-shot; the callback may schedule the next one. `owner` (usually `this` of the object the
  // callback calls into) lets that object cancel what it scheduled when it is destroyed first.
  void call_at(TimePoint when, Callback callback, const void* owner = nullptr);
  void call_after(std::chrono::nanoseconds delay, Callback callback, const void* owner = nullptr) {
    call_at(std::chrono::steady_clock::now() + delay, std::move(callback), owner);
  }
  void cancel_timers(const void* owner);
  // Called before and after every wait, whatever woke it (the poll mode's signal flags: a flag
  // set by a callback's own raise() is seen before the loop goes to sleep); empty: none.
  void on_each_turn(Callback callback) { each_turn_ = std::move(callback); }

  // Runs until stop() is called from a callback.
  void run();
  void stop() { running_ = false; }

  IoBackend backend() const { return backend_; }

 private:
  // Until the next timer: nullopt to wait for I/O only.
  std::optional<std::chrono::nanoseconds> next_timeout() const;
  void run_due_timers();
  void wait_epoll(std::optional<std::chrono::nanoseconds> timeout);
  void wait_poll(std::optional<std::chrono::nanoseconds> timeout);

  IoBackend backend_;
  UniqueFd epoll_fd_;
  std::map<int, Callback> watched_;
  struct Timer {
    Callback callback;
    const void* owner = nullptr;
  };
  std::multimap<TimePoint, Timer> timers_;
  Callback each_turn_;
  bool running_ = false;
  bool have_epoll_pwait2_ = true;  // nanosecond timeouts (Linux >= 5.11); else milliseconds
};

}  // namespace stratumd
