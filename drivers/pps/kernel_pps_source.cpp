#include "drivers/pps/kernel_pps_source.hpp"

#include <fcntl.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "drivers/clock/kernel_clocks.hpp"
#include "drivers/serial/serial_port.hpp"

namespace stratumd {

KernelPpsSource::KernelPpsSource(EventLoop& loop, RefclockSink& sink, std::string path,
                                 bool clear_edge, Log log)
    : loop_(loop),
      sink_(sink),
      path_(std::move(path)),
      clear_edge_(clear_edge),
      watchdog_(path_, std::chrono::seconds{5}, std::move(log)) {
  fd_ = UniqueFd{::open(path_.c_str(), O_RDWR | O_CLOEXEC)};
  if (!fd_.valid()) throw std::runtime_error(describe_open_error(path_, errno, "PPS device"));
  if (::time_pps_create(fd_.get(), &handle_) < 0) {
    throw std::runtime_error(
        describe_open_error(path_, errno == EOPNOTSUPP ? ENOTTY : errno, "PPS device"));
  }
  int capabilities = 0;
  if (::time_pps_getcap(handle_, &capabilities) < 0) {
    throw std::runtime_error(describe_open_error(path_, errno, "PPS device"));
  }
  const int wanted = clear_edge_ ? PPS_CAPTURECLEAR : PPS_CAPTUREASSERT;
  if (!(capabilities & wanted)) {
    throw std::runtime_error(path_ + ": cannot capture the " + (clear_edge_ ? "clear" : "assert") +
                             " edge");
  }
  pps_params_t params{};
  ::time_pps_getparams(handle_, &params);
  params.mode |= wanted | PPS_TSFMT_TSPEC;
  if (::time_pps_setparams(handle_, &params) < 0) {
    throw std::runtime_error(describe_open_error(path_, errno, "PPS device"));
  }
}

KernelPpsSource::~KernelPpsSource() {
  loop_.cancel_timers(this);
  if (bound_) ::time_pps_kcbind(handle_, PPS_KC_HARDPPS, 0, PPS_TSFMT_TSPEC);
  ::time_pps_destroy(handle_);
}

std::string KernelPpsSource::bind_kernel_discipline() {
  const int edge = clear_edge_ ? PPS_CAPTURECLEAR : PPS_CAPTUREASSERT;
  if (::time_pps_kcbind(handle_, PPS_KC_HARDPPS, edge, PPS_TSFMT_TSPEC) < 0) {
    return path_ + ": the kernel refused to take the PPS (" + std::strerror(errno) +
           "; a kernel built with CONFIG_NTP_PPS is needed)";
  }
  bound_ = true;
  return {};
}

void KernelPpsSource::poll() {
  pps_info_t info{};
  timespec no_wait{0, 0};
  const auto now = std::chrono::steady_clock::now();
  if (::time_pps_fetch(handle_, PPS_TSFMT_TSPEC, &info, &no_wait) == 0) {
    const unsigned long sequence = clear_edge_ ? info.clear_sequence : info.assert_sequence;
    const timespec stamp = clear_edge_ ? info.clear_timestamp : info.assert_timestamp;
    if (sequence != last_sequence_ && last_sequence_ != 0) {
      sink_.pulse({StampClock::realtime,
                   Nanoseconds{std::int64_t{stamp.tv_sec} * 1'000'000'000 + stamp.tv_nsec}});
      watchdog_.edge(now);
    }
    last_sequence_ = sequence;
  }
  watchdog_.check(now);
  loop_.call_after(
      std::chrono::milliseconds{100}, [this] { poll(); }, this);
}

}  // namespace stratumd
