#include "drivers/os/event_loop.hpp"

#include <poll.h>
#include <sys/epoll.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <ctime>

namespace stratumd {

EventLoop::EventLoop(IoBackend backend) : backend_(backend) {
  if (backend_ == IoBackend::epoll) {
    epoll_fd_ = UniqueFd{::epoll_create1(EPOLL_CLOEXEC)};
    if (!epoll_fd_.valid()) throw_errno("epoll_create1");
  }
}

void EventLoop::watch_readable(int fd, Callback on_readable) {
  watched_[fd] = std::move(on_readable);
  if (backend_ == IoBackend::epoll) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    if (::epoll_ctl(epoll_fd_.get(), EPOLL_CTL_ADD, fd, &ev) != 0) throw_errno("epoll_ctl(ADD)");
  }
}

void EventLoop::unwatch(int fd) {
  if (watched_.erase(fd) && backend_ == IoBackend::epoll) {
    ::epoll_ctl(epoll_fd_.get(), EPOLL_CTL_DEL, fd, nullptr);
  }
}

void EventLoop::call_at(TimePoint when, Callback callback, const void* owner) {
  timers_.emplace(when, Timer{std::move(callback), owner});
}

std::optional<std::chrono::nanoseconds> EventLoop::next_timeout() const {
  if (timers_.empty()) return std::nullopt;
  const auto left = timers_.begin()->first - std::chrono::steady_clock::now();
  return std::max(std::chrono::nanoseconds{0},
                  std::chrono::duration_cast<std::chrono::nanoseconds>(left));
}

namespace {

// poll() and epoll_wait() take milliseconds: round up, so a timer is never polled for early.
int to_milliseconds(std::optional<std::chrono::nanoseconds> timeout) {
  if (!timeout) return -1;
  return static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(*timeout).count());
}

}  // namespace

void EventLoop::run_due_timers() {
  const auto now = std::chrono::steady_clock::now();
  while (!timers_.empty() && timers_.begin()->first <= now) {
    Callback callback = std::move(timers_.begin()->second.callback);
    timers_.erase(timers_.begin());
    callback();
  }
}

void EventLoop::wait_epoll(std::optional<std::chrono::nanoseconds> timeout) {
  std::array<epoll_event, 16> events{};
  int n = -1;
  if (have_epoll_pwait2_) {
    // Timers fire to the microsecond, not rounded up to the next millisecond.
    timespec ts{};
    if (timeout) {
      ts.tv_sec = static_cast<time_t>(timeout->count() / 1'000'000'000);
      ts.tv_nsec = static_cast<long>(timeout->count() % 1'000'000'000);
    }
    n = ::epoll_pwait2(epoll_fd_.get(), events.data(), static_cast<int>(events.size()),
                       timeout ? &ts : nullptr, nullptr);
    if (n < 0 && errno == ENOSYS) have_epoll_pwait2_ = false;
  }
  if (!have_epoll_pwait2_) {
    n = ::epoll_wait(epoll_fd_.get(), events.data(), static_cast<int>(events.size()),
                     to_milliseconds(timeout));
  }
  if (n < 0) {
    if (errno == EINTR) return;
    throw_errno("epoll_wait");
  }
  for (int i = 0; i < n; ++i) {
    const auto it = watched_.find(events[i].data.fd);
    if (it != watched_.end()) it->second();
  }
}

void EventLoop::wait_poll(std::optional<std::chrono::nanoseconds> timeout) {
  std::vector<pollfd> fds;
  fds.reserve(watched_.size());
  for (const auto& [fd, callback] : watched_) fds.push_back({fd, POLLIN, 0});
  const int n = ::poll(fds.data(), fds.size(), to_milliseconds(timeout));
  if (n < 0) {
    if (errno == EINTR) return;
    throw_errno("poll");
  }
  for (const pollfd& p : fds) {
    if (!(p.revents & (POLLIN | POLLERR | POLLHUP))) continue;
    const auto it = watched_.find(p.fd);
    if (it != watched_.end()) it->second();
  }
}

void EventLoop::run() {
  running_ = true;
  while (running_) {
    if (each_turn_) each_turn_();
    if (!running_) break;
    const auto timeout = next_timeout();
    if (backend_ == IoBackend::epoll) {
      wait_epoll(timeout);
    } else {
      wait_poll(timeout);
    }
    if (each_turn_) each_turn_();
    run_due_timers();
  }
}

void EventLoop::cancel_timers(const void* owner) {
  std::erase_if(timers_, [owner](const auto& entry) { return entry.second.owner == owner; });
}

}  // namespace stratumd
