// SIGINT and SIGTERM stop the event loop, SIGHUP calls the hang-up handler, always from the loop's
// own thread. With epoll the signals are blocked in every thread and read from a signalfd. The
// plain poll mode has no signalfd (a simulator that intercepts poll() treats any descriptor it
// does not know as always readable, and the loop would spin): handlers set flags, poll() returns
// EINTR, and the loop acts on the flags before and after each wait. A signal that lands between
// that check and the next poll() waits for the next timer (the daemon's one-second tick).
#pragma once

#include <signal.h>

#include <functional>

#include "drivers/os/event_loop.hpp"
#include "drivers/os/unique_fd.hpp"

namespace stratumd {

class SignalWatch {
 public:
  // Create it before any thread that must not take the signals is started, and after a fork
  // (a signalfd watched by epoll reports the signals of the process that created it).
  SignalWatch(EventLoop& loop, std::function<void()> on_hangup);
  ~SignalWatch();
  SignalWatch(const SignalWatch&) = delete;
  SignalWatch& operator=(const SignalWatch&) = delete;

 private:
  void act_on_flags();

  EventLoop& loop_;
  std::function<void()> on_hangup_;
  UniqueFd signal_fd_;
  // Restored when the watch ends.
  sigset_t previous_mask_{};
  struct sigaction previous_actions_[3]{};
};

}  // namespace stratumd
