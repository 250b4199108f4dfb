#include "drivers/pps/dcd_pps_source.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

#include "drivers/clock/kernel_clocks.hpp"
#include "drivers/os/privileges.hpp"
#include "drivers/serial/serial_port.hpp"

namespace stratumd {
namespace {

// Interrupts the waiting thread's TIOCMIWAIT at shutdown; the handler itself does nothing.
constexpr int kWakeSignal = SIGUSR2;
void ignore_signal(int) {}

}  // namespace

DcdPpsSource::DcdPpsSource(EventLoop& loop, RefclockSink& sink, std::string path, bool clear_edge,
                           Log log)
    : loop_(loop),
      sink_(sink),
      path_(std::move(path)),
      clear_edge_(clear_edge),
      log_(log),
      watchdog_(path_, std::chrono::seconds{5}, log) {
  fd_ = UniqueFd{::open(path_.c_str(), O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)};
  if (!fd_.valid()) throw std::runtime_error(describe_open_error(path_, errno, "serial port"));
  int lines = 0;
  if (::ioctl(fd_.get(), TIOCMGET, &lines) != 0) {
    throw std::runtime_error(
        path_ + ": does not report modem-line (DCD) changes" +
        (errno == ENOTTY ? std::string(" (a pseudo-terminal or not a UART)") : std::string()));
  }
  wakeup_ = UniqueFd{::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)};
  if (!wakeup_.valid()) throw_errno("eventfd");
  struct sigaction action {};
  action.sa_handler = ignore_signal;  // no SA_RESTART: the ioctl returns EINTR
  ::sigaction(kWakeSignal, &action, nullptr);
}

DcdPpsSource::~DcdPpsSource() {
  if (thread_.joinable()) {
    stopping_ = true;
    ::pthread_kill(thread_.native_handle(), kWakeSignal);
    thread_.join();
  }
  loop_.unwatch(wakeup_.get());
}

void DcdPpsSource::start() {
  loop_.watch_readable(wakeup_.get(), [this] { deliver(); });
  watchdog_.check_every_second(loop_);
  thread_ = std::thread([this] {
    shed_thread_capabilities();
    wait_for_edges();
  });
}

void DcdPpsSource::wait_for_edges() {
  sigset_t wake;
  sigemptyset(&wake);
  sigaddset(&wake, kWakeSignal);
  ::pthread_sigmask(SIG_UNBLOCK, &wake, nullptr);
  while (!stopping_) {
    if (::ioctl(fd_.get(), TIOCMIWAIT, TIOCM_CD) != 0) {
      if (errno == EINTR) continue;
      log_(path_ + ": waiting for DCD failed: " + describe_open_error(path_, errno, "serial port"));
      return;
    }
    const KernelRealtime stamp = kernel_realtime_now();
    int lines = 0;
    if (::ioctl(fd_.get(), TIOCMGET, &lines) != 0) continue;
    const bool asserted = (lines & TIOCM_CD) != 0;
    if (asserted == clear_edge_) continue;  // the other edge of the pulse
    {
      const std::lock_guard lock(mutex_);
      if (pending_count_ < pending_.size()) pending_[pending_count_++] = stamp;
    }
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto written = ::write(wakeup_.get(), &one, sizeof one);
  }
}

void DcdPpsSource::deliver() {
  std::uint64_t count = 0;
  [[maybe_unused]] const auto read_bytes = ::read(wakeup_.get(), &count, sizeof count);
  std::array<KernelRealtime, 8> stamps{};
  std::size_t n = 0;
  {
    const std::lock_guard lock(mutex_);
    stamps = pending_;
    n = pending_count_;
    pending_count_ = 0;
  }
  for (std::size_t i = 0; i < n; ++i)
    sink_.pulse({StampClock::realtime, stamps[i].time_since_epoch()});
  if (n) watchdog_.edge(std::chrono::steady_clock::now());
}

}  // namespace stratumd
