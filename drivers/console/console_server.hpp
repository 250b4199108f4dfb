// The console's local socket: a Unix stream socket (mode 0660) where `stratumctl` sends one
// command per line and reads the reply, which ends with a line holding a single "." (lines of the
// reply that start with "." get another, as in SMTP). Each connection has its own session.
#pragma once

#include <sys/types.h>

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "drivers/os/event_loop.hpp"
#include "drivers/os/unique_fd.hpp"
#include "firmware/console/console_session.hpp"

namespace stratumd {

class ConsoleServer {
 public:
  // Per connection: a handler that turns one command line into its reply.
  using Handler = std::function<ConsoleReply(std::string_view)>;
  using HandlerFactory = std::function<Handler()>;

  // Throws std::runtime_error when the path is held by a running daemon or cannot be bound.
  ConsoleServer(EventLoop& loop, std::string path, HandlerFactory make_handler);
  ~ConsoleServer();
  ConsoleServer(const ConsoleServer&) = delete;
  ConsoleServer& operator=(const ConsoleServer&) = delete;

  const std::string& path() const { return path_; }
  // Whether the socket file is still the one this server bound (not deleted, not replaced): a
  // cleanup of /run or an operator's rm must not leave the console unreachable for good.
  bool still_there() const;

 private:
  struct Connection {
    UniqueFd fd;
    std::string input;
    Handler handler;
  };
  void accept_connections();
  void read_from(int fd);
  void close_connection(int fd);

  EventLoop& loop_;
  std::string path_;
  HandlerFactory make_handler_;
  UniqueFd listener_;
  ino_t bound_inode_ = 0;
  std::map<int, Connection> connections_;
};

// The end-of-reply framing, shared with the client: the reply's lines (one starting with "." gets
// another), then "." when the command did what it asked, ".!" when it failed (no reply line can
// be ".!": it would have been sent as "..!").
std::string frame_console_reply(std::string_view reply, bool failed = false);
inline constexpr std::string_view kConsoleReplyEnd = ".";
inline constexpr std::string_view kConsoleFailedEnd = ".!";

}  // namespace stratumd
