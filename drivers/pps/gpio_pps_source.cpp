#include "drivers/pps/gpio_pps_source.hpp"

#include <gpiod.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

#include "drivers/clock/kernel_clocks.hpp"
#include "drivers/serial/serial_port.hpp"

namespace stratumd {

#if STRATUMD_GPIOD_V2
// libgpiod 2: a request for one line with edge detection; events read through a small buffer.
struct GpioPpsSource::Line {
  gpiod_chip* chip = nullptr;
  gpiod_line_request* request = nullptr;
  gpiod_edge_event_buffer* events = nullptr;

  Line(const std::string& chip_path, unsigned offset, bool falling_edge, const std::string& name) {
    chip = ::gpiod_chip_open(chip_path.c_str());
    if (!chip) {
      // libgpiod 2 checks the device's subsystem first: anything else is ENODEV, where 1.6's
      // ioctl said ENOTTY. Both mean the same here.
      const int error = errno == ENODEV && ::access(chip_path.c_str(), F_OK) == 0 ? ENOTTY : errno;
      throw std::runtime_error(describe_open_error(chip_path, error, "GPIO chip"));
    }
    gpiod_line_settings* settings = ::gpiod_line_settings_new();
    gpiod_line_config* line_config = ::gpiod_line_config_new();
    gpiod_request_config* request_config = ::gpiod_request_config_new();
    events = ::gpiod_edge_event_buffer_new(4);
    if (settings && line_config && request_config && events) {
      ::gpiod_line_settings_set_direction(settings, GPIOD_LINE_DIRECTION_INPUT);
      ::gpiod_line_settings_set_edge_detection(
          settings, falling_edge ? GPIOD_LINE_EDGE_FALLING : GPIOD_LINE_EDGE_RISING);
      ::gpiod_line_settings_set_event_clock(settings, GPIOD_LINE_CLOCK_MONOTONIC);
      ::gpiod_request_config_set_consumer(request_config, "stratumd");
      if (::gpiod_line_config_add_line_settings(line_config, &offset, 1, settings) == 0) {
        request = ::gpiod_chip_request_lines(chip, request_config, line_config);
      }
    }
    const int error = errno;
    ::gpiod_line_settings_free(settings);
    ::gpiod_line_config_free(line_config);
    ::gpiod_request_config_free(request_config);
    if (!request) {
      release();
      throw std::runtime_error(name + ": cannot request edge events: " +
                               describe_open_error(chip_path, error, "GPIO chip"));
    }
  }
  ~Line() { release(); }
  void release() {
    if (request) ::gpiod_line_request_release(request);
    if (events) ::gpiod_edge_event_buffer_free(events);
    if (chip) ::gpiod_chip_close(chip);
    request = nullptr;
    events = nullptr;
    chip = nullptr;
  }
  int fd() const { return ::gpiod_line_request_get_fd(request); }
  // The kernel stamp of the next edge, ns on CLOCK_MONOTONIC; false when none could be read.
  bool read(std::int64_t& stamp_ns) {
    if (::gpiod_line_request_read_edge_events(request, events, 1) != 1) return false;
    stamp_ns = static_cast<std::int64_t>(
        ::gpiod_edge_event_get_timestamp_ns(::gpiod_edge_event_buffer_get_event(events, 0)));
    return true;
  }
};
#else
// libgpiod 1.6: the chip's line requested for edge events.
struct GpioPpsSource::Line {
  gpiod_chip* chip = nullptr;
  gpiod_line* line = nullptr;

  Line(const std::string& chip_path, unsigned offset, bool falling_edge, const std::string& name) {
    chip = ::gpiod_chip_open(chip_path.c_str());
    if (!chip) throw std::runtime_error(describe_open_error(chip_path, errno, "GPIO chip"));
    line = ::gpiod_chip_get_line(chip, offset);
    if (!line) {
      const int error = errno;
      ::gpiod_chip_close(chip);
      throw std::runtime_error(chip_path + ": no line " + std::to_string(offset) + " (" +
                               describe_open_error(chip_path, error, "GPIO chip") + ")");
    }
    const int requested = falling_edge ? ::gpiod_line_request_falling_edge_events(line, "stratumd")
                                       : ::gpiod_line_request_rising_edge_events(line, "stratumd");
    if (requested != 0) {
      const int error = errno;
      ::gpiod_chip_close(chip);
      throw std::runtime_error(name + ": cannot request edge events: " +
                               describe_open_error(chip_path, error, "GPIO chip"));
    }
  }
  ~Line() { ::gpiod_chip_close(chip); }  // releases the line too
  int fd() const { return ::gpiod_line_event_get_fd(line); }
  bool read(std::int64_t& stamp_ns) {
    gpiod_line_event event{};
    if (::gpiod_line_event_read(line, &event) != 0) return false;
    stamp_ns = std::int64_t{event.ts.tv_sec} * 1'000'000'000 + event.ts.tv_nsec;
    return true;
  }
};
#endif

GpioPpsSource::GpioPpsSource(EventLoop& loop, RefclockSink& sink, const std::string& chip_path,
                             unsigned line, bool falling_edge, Log log)
    : loop_(loop),
      sink_(sink),
      name_(chip_path + " line " + std::to_string(line)),
      line_(std::make_unique<Line>(chip_path, line, falling_edge, name_)),
      watchdog_(name_, std::chrono::seconds{5}, std::move(log)) {}

GpioPpsSource::~GpioPpsSource() {
  loop_.unwatch(line_->fd());
}

void GpioPpsSource::start() {
  loop_.watch_readable(line_->fd(), [this] { on_event(); });
  watchdog_.check_every_second(loop_);
}

void GpioPpsSource::on_event() {
  std::int64_t stamp_ns = 0;
  if (!line_->read(stamp_ns)) return;
  sink_.pulse({StampClock::monotonic, Nanoseconds{stamp_ns}});  // libgpiod stamps on it
  watchdog_.edge(std::chrono::steady_clock::now());
}

}  // namespace stratumd
