// A serial port configured the way a GPS receiver talks: raw, 8N1, no flow control, the given
// baud, non-blocking reads. Open errors are turned into messages an operator can act on.
#pragma once

#include <string>

#include "drivers/os/unique_fd.hpp"

namespace stratumd {

// Baud rate from ntpd's NMEA mode bits 4-6 (0x00 4800 ... 0x50 115200).
int baud_from_nmea_mode(int mode);

class SerialPort {
 public:
  // Throws std::runtime_error with the device and what to do about it.
  SerialPort(const std::string& path, int baud);

  int fd() const { return fd_.get(); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  UniqueFd fd_;
};

// What went wrong opening `path`, in words (ENOENT, EACCES, ENOTTY, ...).
std::string describe_open_error(const std::string& path, int error, const char* what);

}  // namespace stratumd
