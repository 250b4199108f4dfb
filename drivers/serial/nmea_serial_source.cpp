#include "drivers/serial/nmea_serial_source.hpp"

#include <unistd.h>

#include <array>
#include <cerrno>
#include <stdexcept>

namespace stratumd {
namespace {

constexpr std::chrono::seconds kMaxBackoff{30};

}  // namespace

NmeaSerialSource::NmeaSerialSource(EventLoop& loop, const Clock& clock, std::string path, int baud,
                                   NmeaLineAssembler::Sink sink, Log log)
    : loop_(loop),
      clock_(clock),
      path_(std::move(path)),
      baud_(baud),
      assembler_(baud, std::move(sink)),
      log_(std::move(log)) {}

NmeaSerialSource::~NmeaSerialSource() {
  loop_.cancel_timers(this);
  if (port_) loop_.unwatch(port_->fd());
}

void NmeaSerialSource::try_open() {
  try {
    port_.emplace(path_, baud_);
  } catch (const std::runtime_error& e) {
    if (e.what() != last_problem_) {
      log_(std::string(e.what()) + "; retrying");
      last_problem_ = e.what();
    }
    loop_.call_after(
        backoff_, [this] { try_open(); }, this);
    backoff_ = std::min(backoff_ * 2, kMaxBackoff);
    return;
  }
  log_(path_ + ": opened at " + std::to_string(baud_) + " baud");
  last_problem_.clear();
  backoff_ = std::chrono::seconds{1};
  assembler_.reset();
  loop_.watch_readable(port_->fd(), [this] { on_readable(); });
}

void NmeaSerialSource::on_readable() {
  std::array<std::uint8_t, 512> buffer{};
  for (;;) {
    const ssize_t n = ::read(port_->fd(), buffer.data(), buffer.size());
    const UtcTime read_time = clock_.now();
    if (n > 0) {
      assembler_.feed(std::span(buffer.data(), static_cast<std::size_t>(n)), read_time);
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    // 0 or EIO: the other end hung up (USB unplug, pty master closed).
    lost(n == 0 ? "end of file" : describe_open_error(path_, errno, "serial port"));
    return;
  }
}

void NmeaSerialSource::lost(const std::string& why) {
  log_(path_ + ": lost (" + why + "); reopening");
  loop_.unwatch(port_->fd());
  port_.reset();
  assembler_.reset();
  loop_.call_after(
      backoff_, [this] { try_open(); }, this);
}

}  // namespace stratumd
