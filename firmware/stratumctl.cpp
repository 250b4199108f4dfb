// stratumctl: the operator's console. Interactive on a terminal (line editing and history from
// libedit, so it serves as a login shell or a getty-launched program on a serial port), or one
// command with -c, or commands from a pipe. Talks to stratumd over its console socket.
#include <editline/readline.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include "drivers/console/console_server.hpp"
#include "drivers/os/unique_fd.hpp"

namespace {

using stratumd::UniqueFd;

UniqueFd connect_to(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof address.sun_path) return UniqueFd{};
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  UniqueFd fd{::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  if (!fd.valid() ||
      ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    return UniqueFd{};
  }
  return fd;
}

// Sends one command and prints the reply up to its end line. False when the daemon went away.
bool run_command(int fd, const std::string& command, std::string& pending) {
  const std::string line = command + "\n";
  if (::send(fd, line.data(), line.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(line.size())) {
    return false;
  }
  for (;;) {
    std::size_t newline;
    while ((newline = pending.find('\n')) != std::string::npos) {
      std::string reply_line = pending.substr(0, newline);
      pending.erase(0, newline + 1);
      if (reply_line == ".") return true;
      if (reply_line.starts_with("..")) reply_line.erase(0, 1);
      std::cout << reply_line << '\n';
    }
    char buffer[4096];
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    pending.append(buffer, static_cast<std::size_t>(n));
  }
}

void usage() {
  std::cerr << "usage: stratumctl [--socket PATH] [-c COMMAND]\n"
               "  interactive on a terminal ('help' lists the commands), else one command per\n"
               "  line from standard input\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::string socket_path = "/run/stratumd/console.sock";
  std::string one_command;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if ((arg == "--socket" || arg == "-s") && i + 1 < argc) {
      socket_path = argv[++i];
    } else if (arg == "-c" && i + 1 < argc) {
      one_command = argv[++i];
    } else {
      usage();
      return 2;
    }
  }
  UniqueFd fd = connect_to(socket_path);
  if (!fd.valid()) {
    std::cerr << "stratumctl: cannot reach stratumd at " << socket_path << ": "
              << std::strerror(errno) << " (is it running? --socket PATH)\n";
    return 1;
  }
  std::string pending;
  if (!one_command.empty()) return run_command(fd.get(), one_command, pending) ? 0 : 1;

  const bool interactive = ::isatty(STDIN_FILENO) != 0;
  if (!interactive) {
    for (std::string line; std::getline(std::cin, line);) {
      if (line == "quit" || line == "exit") break;
      if (!run_command(fd.get(), line, pending)) return 1;
    }
    return 0;
  }
  std::cout << "stratumd console; 'help' lists the commands, 'quit' leaves" << std::endl;
  for (;;) {
    char* input = ::readline("stratumd> ");
    if (!input) break;  // Ctrl-D
    std::string line = input;
    std::free(input);
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    ::add_history(line.c_str());
    if (line == "quit" || line == "exit") break;
    if (!run_command(fd.get(), line, pending)) {
      std::cerr << "stratumctl: stratumd closed the console\n";
      return 1;
    }
  }
  return 0;
}
