#include "drivers/console/console_server.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace stratumd {
namespace {

constexpr std::size_t kMaxCommandLength = 4096;

sockaddr_un address_of(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof address.sun_path) {
    throw std::runtime_error("console socket path too long: " + path);
  }
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  return address;
}

// A socket file nobody listens on is left over from a daemon that died: safe to replace.
bool someone_listens(const sockaddr_un& address) {
  UniqueFd probe{::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  return probe.valid() &&
         ::connect(probe.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
}

void write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the client went away; its connection closes on the next read
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace

std::string frame_console_reply(std::string_view reply, bool failed) {
  std::string framed;
  std::size_t start = 0;
  while (start < reply.size()) {
    std::size_t end = reply.find('\n', start);
    if (end == std::string_view::npos) end = reply.size();
    const std::string_view line = reply.substr(start, end - start);
    if (line.starts_with('.')) framed += '.';
    framed += line;
    framed += '\n';
    start = end + 1;
  }
  framed += failed ? kConsoleFailedEnd : kConsoleReplyEnd;
  framed += '\n';
  return framed;
}

ConsoleServer::ConsoleServer(EventLoop& loop, std::string path, HandlerFactory make_handler)
    : loop_(loop), path_(std::move(path)), make_handler_(std::move(make_handler)) {
  const sockaddr_un address = address_of(path_);
  if (someone_listens(address)) {
    throw std::runtime_error("console socket " + path_ + " belongs to a running stratumd");
  }
  ::unlink(path_.c_str());
  listener_ = UniqueFd{::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)};
  if (!listener_.valid()) throw_errno("socket (console)");
  const mode_t old_mask = ::umask(0117);  // srw-rw----: root and the group the operator is in
  const int bound =
      ::bind(listener_.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address);
  ::umask(old_mask);
  if (bound != 0 || ::listen(listener_.get(), 8) != 0) {
    throw std::runtime_error("console socket " + path_ + ": " + std::strerror(errno));
  }
  struct stat made {};
  if (::stat(path_.c_str(), &made) == 0) bound_inode_ = made.st_ino;
  loop_.watch_readable(listener_.get(), [this] { accept_connections(); });
}

ConsoleServer::~ConsoleServer() {
  for (auto& [fd, connection] : connections_) loop_.unwatch(fd);
  loop_.unwatch(listener_.get());
  if (still_there()) ::unlink(path_.c_str());  // never someone else's socket
}

bool ConsoleServer::still_there() const {
  struct stat now {};
  if (::lstat(path_.c_str(), &now) != 0) {
    // Unreadable (a root-only directory after -u) is not gone: only a missing path is.
    return errno != ENOENT && errno != ENOTDIR;
  }
  return S_ISSOCK(now.st_mode) && now.st_ino == bound_inode_;
}

void ConsoleServer::accept_connections() {
  for (;;) {
    UniqueFd fd{::accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC)};
    if (!fd.valid()) return;
    const int raw = fd.get();
    connections_[raw] = Connection{std::move(fd), {}, make_handler_()};
    loop_.watch_readable(raw, [this, raw] { read_from(raw); });
  }
}

void ConsoleServer::read_from(int fd) {
  const auto it = connections_.find(fd);
  if (it == connections_.end()) return;
  char buffer[1024];
  for (;;) {
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
      close_connection(fd);
      return;
    }
    if (n < 0) break;
    it->second.input.append(buffer, static_cast<std::size_t>(n));
  }
  std::string& input = it->second.input;
  std::size_t newline;
  while ((newline = input.find('\n')) != std::string::npos) {
    const std::string line = input.substr(0, newline);
    input.erase(0, newline + 1);
    const ConsoleReply reply = it->second.handler(line);
    write_all(fd, frame_console_reply(reply.text, reply.failed));
  }
  if (input.size() > kMaxCommandLength) {
    write_all(fd, frame_console_reply("command too long; closing\n", true));
    close_connection(fd);
  }
}

void ConsoleServer::close_connection(int fd) {
  loop_.unwatch(fd);
  connections_.erase(fd);
}

}  // namespace stratumd
