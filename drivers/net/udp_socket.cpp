#include "drivers/net/udp_socket.hpp"

#include <fcntl.h>
#include <sys/socket.h>

namespace stratumd {

UniqueFd open_udp_socket(int family, const char* what) {
  UniqueFd fd{::socket(family, SOCK_DGRAM, 0)};
  if (!fd.valid()) throw_errno(what);
  const int status = ::fcntl(fd.get(), F_GETFL);
  if (status < 0 || ::fcntl(fd.get(), F_SETFL, status | O_NONBLOCK) < 0 ||
      ::fcntl(fd.get(), F_SETFD, FD_CLOEXEC) < 0) {
    throw_errno(what);
  }
  return fd;
}

}  // namespace stratumd
