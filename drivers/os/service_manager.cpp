#include "drivers/os/service_manager.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "drivers/os/text_file.hpp"
#include "drivers/os/unique_fd.hpp"

namespace stratumd {

void notify_service_manager(std::string_view state) {
  const char* socket_path = std::getenv("NOTIFY_SOCKET");
  if (!socket_path || socket_path[0] == '\0') return;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::size_t length = std::strlen(socket_path);
  if (length >= sizeof address.sun_path) return;
  std::memcpy(address.sun_path, socket_path, length);
  if (address.sun_path[0] == '@') address.sun_path[0] = '\0';  // an abstract socket
  const UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return;
  [[maybe_unused]] const auto sent =
      ::sendto(fd.get(), state.data(), state.size(), MSG_NOSIGNAL,
               reinterpret_cast<const sockaddr*>(&address),
               static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + length));
}

std::optional<std::chrono::microseconds> service_watchdog_interval() {
  const char* usec = std::getenv("WATCHDOG_USEC");
  if (!usec || usec[0] == '\0') return std::nullopt;
  if (const char* pid = std::getenv("WATCHDOG_PID"); pid && pid[0] != '\0') {
    char* end = nullptr;
    if (std::strtol(pid, &end, 10) != ::getpid() || *end != '\0') return std::nullopt;
  }
  char* end = nullptr;
  const unsigned long long value = std::strtoull(usec, &end, 10);
  if (*end != '\0' || value == 0) return std::nullopt;
  return std::chrono::microseconds{value};
}

PidFile::PidFile(std::string path) : path_(std::move(path)) {
  if (!write_file_atomically(path_, std::to_string(::getpid()) + "\n")) {
    throw std::runtime_error("pidfile " + path_ + ": cannot be written");
  }
}

PidFile::~PidFile() {
  // Only a file still naming this process: a second daemon may have taken the name since.
  if (read_text_file(path_) == std::to_string(::getpid()) + "\n") ::unlink(path_.c_str());
}

}  // namespace stratumd
