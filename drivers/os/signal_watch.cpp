#include "drivers/os/signal_watch.hpp"

#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <atomic>
#include <iterator>

namespace stratumd {
namespace {

// The handled signals: one list for the mask and the handlers (previous_actions_ has one each).
constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};

std::atomic<bool> stop_requested{false};
std::atomic<bool> hangup_requested{false};

void note_signal(int signal) {
  (signal == SIGHUP ? hangup_requested : stop_requested).store(true, std::memory_order_relaxed);
}

sigset_t handled_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  for (const int signal : kSignals) sigaddset(&signals, signal);
  return signals;
}

}  // namespace

SignalWatch::SignalWatch(EventLoop& loop, std::function<void()> on_hangup)
    : loop_(loop), on_hangup_(std::move(on_hangup)) {
  const sigset_t signals = handled_signals();
  if (loop_.backend() == IoBackend::epoll) {
    if (::pthread_sigmask(SIG_BLOCK, &signals, &previous_mask_) != 0) {
      throw_errno("pthread_sigmask");
    }
    signal_fd_ = UniqueFd{::signalfd(-1, &signals, SFD_CLOEXEC | SFD_NONBLOCK)};
    if (!signal_fd_.valid()) throw_errno("signalfd");
    loop_.watch_readable(signal_fd_.get(), [this] {
      signalfd_siginfo info{};
      while (::read(signal_fd_.get(), &info, sizeof info) == sizeof info) {
        note_signal(static_cast<int>(info.ssi_signo));
      }
      act_on_flags();
    });
    return;
  }
  struct sigaction action {};
  action.sa_handler = note_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: poll() returns EINTR
  for (std::size_t i = 0; i < std::size(kSignals); ++i) {
    if (::sigaction(kSignals[i], &action, &previous_actions_[i]) != 0) throw_errno("sigaction");
  }
  if (::pthread_sigmask(SIG_UNBLOCK, &signals, &previous_mask_) != 0) {
    throw_errno("pthread_sigmask");
  }
  loop_.on_each_turn([this] { act_on_flags(); });
}

SignalWatch::~SignalWatch() {
  if (signal_fd_.valid()) {
    loop_.unwatch(signal_fd_.get());
  } else {
    loop_.on_each_turn({});
    for (std::size_t i = 0; i < std::size(kSignals); ++i) {
      ::sigaction(kSignals[i], &previous_actions_[i], nullptr);
    }
  }
  ::pthread_sigmask(SIG_SETMASK, &previous_mask_, nullptr);
}

void SignalWatch::act_on_flags() {
  if (hangup_requested.exchange(false, std::memory_order_relaxed) && on_hangup_) on_hangup_();
  if (stop_requested.exchange(false, std::memory_order_relaxed)) loop_.stop();
}

}  // namespace stratumd
