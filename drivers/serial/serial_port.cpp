#include "drivers/serial/serial_port.hpp"

#include <fcntl.h>
#include <termios.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace stratumd {
namespace {

speed_t speed_for(int baud) {
  switch (baud) {
    case 4800:
      return B4800;
    case 9600:
      return B9600;
    case 19200:
      return B19200;
    case 38400:
      return B38400;
    case 57600:
      return B57600;
    case 115200:
      return B115200;
  }
  throw std::runtime_error("unsupported baud rate " + std::to_string(baud));
}

}  // namespace

int baud_from_nmea_mode(int mode) {
  switch ((mode >> 4) & 0x7) {
    case 1:
      return 9600;
    case 2:
      return 19200;
    case 3:
      return 38400;
    case 4:
      return 57600;
    case 5:
      return 115200;
    default:
      return 4800;
  }
}

std::string describe_open_error(const std::string& path, int error, const char* what) {
  switch (error) {
    case ENOENT:
      return path + ": no such " + what + " (is it plugged in, enabled, and its udev link made?)";
    case EACCES:
    case EPERM:
      return path + ": permission denied (run as root or add the user to the device's group)";
    case ENOTTY:
      return path + ": not a " + what;
    case EBUSY:
      return path + ": busy (another program, e.g. gpsd, holds it)";
    case ENXIO:
    case ENODEV:
      return path + ": the device is gone";
  }
  return path + ": " + std::strerror(error);
}

SerialPort::SerialPort(const std::string& path, int baud) : path_(path) {
  const speed_t speed = speed_for(baud);
  fd_ = UniqueFd{::open(path.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)};
  if (!fd_.valid()) throw std::runtime_error(describe_open_error(path, errno, "serial port"));
  termios tio{};
  if (::tcgetattr(fd_.get(), &tio) != 0)
    throw std::runtime_error(describe_open_error(path, errno, "serial port"));
  ::cfmakeraw(&tio);
  tio.c_cflag &= ~static_cast<tcflag_t>(CSTOPB | PARENB | CRTSCTS | CSIZE);
  tio.c_cflag |= CS8 | CLOCAL | CREAD;
  tio.c_cc[VMIN] = 1;
  tio.c_cc[VTIME] = 0;
  ::cfsetispeed(&tio, speed);
  ::cfsetospeed(&tio, speed);
  if (::tcsetattr(fd_.get(), TCSANOW, &tio) != 0) {
    throw std::runtime_error(describe_open_error(path, errno, "serial port"));
  }
  ::tcflush(fd_.get(), TCIFLUSH);  // stale bytes from before we listened carry no timing
}

}  // namespace stratumd
