#include "drivers/pps/gpio_pps_source.hpp"

#include <cerrno>
#include <stdexcept>

#include "drivers/clock/kernel_clocks.hpp"
#include "drivers/serial/serial_port.hpp"

namespace stratumd {

GpioPpsSource::GpioPpsSource(EventLoop& loop, const KernelStamps& stamps,
                             const std::string& chip_path, unsigned line, bool falling_edge,
                             EdgeSink sink, Log log)
    : loop_(loop),
      stamps_(stamps),
      name_(chip_path + " line " + std::to_string(line)),
      falling_edge_(falling_edge),
      sink_(std::move(sink)),
      watchdog_(name_, std::chrono::seconds{5}, std::move(log)) {
  chip_ = ::gpiod_chip_open(chip_path.c_str());
  if (!chip_) throw std::runtime_error(describe_open_error(chip_path, errno, "GPIO chip"));
  line_ = ::gpiod_chip_get_line(chip_, line);
  if (!line_) {
    const int error = errno;
    ::gpiod_chip_close(chip_);
    throw std::runtime_error(chip_path + ": no line " + std::to_string(line) + " (" +
                             describe_open_error(chip_path, error, "GPIO chip") + ")");
  }
  const int requested = falling_edge_ ? ::gpiod_line_request_falling_edge_events(line_, "stratumd")
                                      : ::gpiod_line_request_rising_edge_events(line_, "stratumd");
  if (requested != 0) {
    const int error = errno;
    ::gpiod_chip_close(chip_);
    throw std::runtime_error(name_ + ": cannot request edge events: " +
                             describe_open_error(chip_path, error, "GPIO chip"));
  }
}

GpioPpsSource::~GpioPpsSource() {
  if (line_) loop_.unwatch(::gpiod_line_event_get_fd(line_));
  ::gpiod_chip_close(chip_);  // releases the line too
}

void GpioPpsSource::start() {
  loop_.watch_readable(::gpiod_line_event_get_fd(line_), [this] { on_event(); });
}

void GpioPpsSource::on_event() {
  gpiod_line_event event{};
  if (::gpiod_line_event_read(line_, &event) != 0) return;
  // libgpiod 1.6 event stamps are CLOCK_MONOTONIC: `stamps_` is on that clock.
  sink_(PpsEdge{stamps_.to_served(
      Nanoseconds{std::int64_t{event.ts.tv_sec} * 1'000'000'000 + event.ts.tv_nsec})});
  watchdog_.edge(std::chrono::steady_clock::now());
}

}  // namespace stratumd
