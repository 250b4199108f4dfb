#include "drivers/os/status_led.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "drivers/os/text_file.hpp"

namespace stratumd {
namespace {

// The trigger file lists every trigger with the one in force in brackets.
std::string trigger_in_force(const std::string& list) {
  const auto open = list.find('[');
  const auto close = list.find(']', open);
  if (open == std::string::npos || close == std::string::npos) return "";
  return list.substr(open + 1, close - open - 1);
}

// The LED's own files are never links (the class directory itself is one, which is fine): a link
// planted in their place is refused.
UniqueFd open_for_writing(const std::string& path) {
  UniqueFd fd{::open(path.c_str(), O_WRONLY | O_NOFOLLOW | O_CLOEXEC)};
  if (!fd.valid()) {
    const int error = errno;
    throw std::runtime_error(
        "status LED: cannot write " + path + ": " + std::strerror(error) +
        (error == EACCES || error == EROFS
             ? " (the udev rule gives the LED to the stratumd group; under the unit, "
               "ReadWritePaths must cover it)"
             : ""));
  }
  return fd;
}

// sysfs attributes take the whole value in one write at offset 0; a plain file (a test's fake
// LED) is cut to it first.
bool write_value(int fd, const std::string& value) {
  if (::ftruncate(fd, 0) != 0) {
    // A sysfs attribute cannot be cut, and need not be: the write replaces its value.
  }
  return ::pwrite(fd, value.data(), value.size(), 0) == static_cast<ssize_t>(value.size());
}

}  // namespace

StatusLed::StatusLed(EventLoop& loop, std::string directory, Log log)
    : loop_(loop), directory_(std::move(directory)), log_(std::move(log)) {
  const auto triggers = read_text_file(directory_ + "/trigger");
  if (!triggers) throw std::runtime_error("status LED: no LED at " + directory_);
  saved_trigger_ = trigger_in_force(*triggers);
  if (const auto max = read_text_file(directory_ + "/max_brightness")) {
    const std::string value = max->substr(0, max->find_first_of(" \n"));
    if (!value.empty() && value != "0") max_brightness_ = value;
  }
  trigger_ = open_for_writing(directory_ + "/trigger");
  brightness_ = open_for_writing(directory_ + "/brightness");
  if (!write_value(trigger_.get(), "none"))
    throw std::runtime_error("status LED: " + directory_ + " refuses the trigger none");
}

StatusLed::~StatusLed() {
  loop_.cancel_timers(this);
  write_brightness(false);
  if (!saved_trigger_.empty() && saved_trigger_ != "none")
    write_value(trigger_.get(), saved_trigger_);
}

void StatusLed::show(const LedPattern& pattern) {
  if (pattern == pattern_ && pattern_.count > 0) return;
  pattern_ = pattern;
  next_step_ = 0;
  loop_.cancel_timers(this);
  step();
}

void StatusLed::step() {
  if (pattern_.count == 0) return;
  const std::size_t index = next_step_;
  write_brightness(index % 2 == 0);
  if (pattern_.count == 1) return;  // steady
  next_step_ = (index + 1) % pattern_.count;
  loop_.call_after(
      pattern_.steps[index], [this] { step(); }, this);
}

void StatusLed::write_brightness(bool on) {
  if (write_value(brightness_.get(), on ? max_brightness_ : "0") || said_write_error_) return;
  said_write_error_ = true;
  log_("warning: status LED " + directory_ + ": a write failed (" + std::strerror(errno) + ")");
}

}  // namespace stratumd
