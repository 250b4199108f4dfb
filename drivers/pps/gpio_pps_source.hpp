// PPS on a GPIO line through libgpiod: the v1 API (Debian 12's 1.6) or the v2 API (Debian 13,
// current Raspberry Pi OS), chosen when the project is configured (STRATUMD_GPIOD_V2). Line
// events are stamped by the kernel on CLOCK_MONOTONIC (kernels >= 5.7), which is carried to the
// served clock explicitly.
#pragma once

#include <memory>

#include "drivers/pps/pps_source.hpp"
#include "refclock/refclock_sink.hpp"

namespace stratumd {

class GpioPpsSource final : public PpsSource {
 public:
  // Throws std::runtime_error saying what is wrong (no chip, no line, line busy, permission).
  GpioPpsSource(EventLoop& loop, RefclockSink& sink, const std::string& chip_path, unsigned line,
                bool falling_edge, Log log);
  ~GpioPpsSource() override;

  void start() override;
  const std::string& name() const override { return name_; }

 private:
  void on_event();

  EventLoop& loop_;
  RefclockSink& sink_;
  std::string name_;
  struct Line;  // the libgpiod handles of one API or the other
  std::unique_ptr<Line> line_;
  EdgeWatchdog watchdog_;
};

}  // namespace stratumd
