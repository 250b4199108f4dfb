// The kernel's RFC 2783 PPS API (/dev/ppsN, timepps.h from pps-tools). The kernel stamps each
// edge on CLOCK_REALTIME in its interrupt handler, so the device is simply polled ten times a
// second for a new sequence number: polling latency does not touch the stamp.
#pragma once

#include <sys/timepps.h>

#include "drivers/os/unique_fd.hpp"
#include "drivers/pps/pps_source.hpp"
#include "refclock/refclock_sink.hpp"

namespace stratumd {

class KernelPpsSource final : public PpsSource {
 public:
  // Opens and configures the device; throws std::runtime_error saying what is wrong.
  KernelPpsSource(EventLoop& loop, RefclockSink& sink, std::string path, bool clear_edge, Log log);
  ~KernelPpsSource() override;

  void start() override { poll(); }
  // Hands the edges to the kernel's own PPS loop (hardpps, RFC 2783 time_pps_kcbind), for
  // `enable kernel`. Returns an empty string, or why the kernel refused.
  std::string bind_kernel_discipline();
  const std::string& name() const override { return path_; }

 private:
  void poll();

  EventLoop& loop_;
  RefclockSink& sink_;
  std::string path_;
  bool clear_edge_;
  UniqueFd fd_;
  pps_handle_t handle_{};
  unsigned long last_sequence_ = 0;
  bool bound_ = false;
  EdgeWatchdog watchdog_;
};

}  // namespace stratumd
