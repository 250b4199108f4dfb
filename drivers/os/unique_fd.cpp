#include "drivers/os/unique_fd.hpp"

#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace stratumd {

void UniqueFd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

void throw_errno(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

}  // namespace stratumd
