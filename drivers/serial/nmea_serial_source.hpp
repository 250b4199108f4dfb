// NMEA over a serial port, kept alive: reads are stamped on the served clock and fed to the line
// assembler; when the device vanishes (USB unplug, a pty closed) it is reopened with back-off and
// the daemon resumes when it returns. Each change of state is logged once.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "drivers/os/event_loop.hpp"
#include "drivers/serial/serial_port.hpp"
#include "firmware/clock/clock.hpp"
#include "refclock/nmea_line_assembler.hpp"

namespace stratumd {

class NmeaSerialSource {
 public:
  using Log = std::function<void(const std::string&)>;
  NmeaSerialSource(EventLoop& loop, const Clock& clock, std::string path, int baud,
                   NmeaLineAssembler::Sink sink, Log log);
  ~NmeaSerialSource();

  void start() { try_open(); }
  bool connected() const { return port_.has_value(); }
  const LineAssemblerCounters& counters() const { return assembler_.counters(); }
  StampModel stamp_model() const { return assembler_.stamp_model(); }

 private:
  void try_open();
  void on_readable();
  void lost(const std::string& why);

  EventLoop& loop_;
  const Clock& clock_;
  std::string path_;
  int baud_;
  NmeaLineAssembler assembler_;
  Log log_;
  std::optional<SerialPort> port_;
  std::chrono::seconds backoff_{1};
  std::string last_problem_;
};

}  // namespace stratumd
