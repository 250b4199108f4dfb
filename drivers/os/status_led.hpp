// A LED of the kernel's LED class (/sys/class/leds/NAME) playing a blink pattern on the event
// loop. Its files are opened once, at start, while the daemon may still be root: later writes go
// through the descriptors. Its trigger (the Pi's ACT LED shows SD card activity by default) is
// set to none while stratumd drives it and put back when it stops.
#pragma once

#include <functional>
#include <string>

#include "drivers/os/event_loop.hpp"
#include "drivers/os/unique_fd.hpp"
#include "firmware/control/led_pattern.hpp"

namespace stratumd {

class StatusLed {
 public:
  using Log = std::function<void(const std::string&)>;

  // `directory`: the LED's sysfs directory. Throws std::runtime_error naming what is wrong.
  StatusLed(EventLoop& loop, std::string directory, Log log);
  ~StatusLed();
  StatusLed(const StatusLed&) = delete;
  StatusLed& operator=(const StatusLed&) = delete;

  // Plays `pattern` from its first step; the same pattern again changes nothing.
  void show(const LedPattern& pattern);
  const std::string& directory() const { return directory_; }

 private:
  void step();
  void write_brightness(bool on);

  EventLoop& loop_;
  std::string directory_;
  Log log_;
  UniqueFd brightness_;
  UniqueFd trigger_;
  std::string max_brightness_ = "1";
  std::string saved_trigger_;  // the trigger in force before us
  LedPattern pattern_;
  std::size_t next_step_ = 0;
  bool said_write_error_ = false;
};

}  // namespace stratumd
