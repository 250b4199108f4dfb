// stratumctl: the operator's console. Interactive on a terminal (line editing, Tab completion
// and a history kept across sessions, from libedit, so it serves as a login shell or a
// getty-launched program on a serial port), or one command with -c, or commands from a pipe.
// Talks to stratumd over its console socket; exits 0 when every command did what it asked, 1
// when one was refused or failed, 2 on a usage error.
#include <editline/readline.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "drivers/console/console_server.hpp"
#include "drivers/os/unique_fd.hpp"
#include "firmware/console/console_session.hpp"

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

enum class Outcome { done, failed, gone };

// Sends one command and prints the reply up to its end line: "." when it did what it asked, ".!"
// when it was refused, malformed or unknown.
Outcome run_command(int fd, const std::string& command, std::string& pending) {
  const std::string line = command + "\n";
  if (::send(fd, line.data(), line.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(line.size())) {
    return Outcome::gone;
  }
  for (;;) {
    std::size_t newline;
    while ((newline = pending.find('\n')) != std::string::npos) {
      std::string reply_line = pending.substr(0, newline);
      pending.erase(0, newline + 1);
      if (reply_line == stratumd::kConsoleReplyEnd) return Outcome::done;
      if (reply_line == stratumd::kConsoleFailedEnd) return Outcome::failed;
      if (reply_line.starts_with("..")) reply_line.erase(0, 1);
      std::cout << reply_line << '\n';
    }
    char buffer[4096];
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Outcome::gone;
    pending.append(buffer, static_cast<std::size_t>(n));
  }
}

constexpr const char* kUsage =
    "usage: stratumctl [--socket PATH] [-c COMMAND] [--version] [--help]\n"
    "  The console of stratumd: interactive on a terminal ('help' lists the commands, Tab\n"
    "  completes them and configuration directives, history is kept in\n"
    "  ~/.stratumctl_history), else one command per line from standard input; -c runs one.\n"
    "  --socket PATH   the daemon's console socket (default /run/stratumd/console.sock)\n"
    "  Exit status: 0 every command done, 1 a command refused or failed (or the daemon\n"
    "  unreachable), 2 usage.\n";

// libedit's completion hook: the console's own list for the line typed so far.
std::vector<std::string> completion_choices;
char* next_completion(const char*, int state) {
  static std::size_t index = 0;
  if (state == 0) index = 0;
  if (index >= completion_choices.size()) return nullptr;
  return ::strdup(completion_choices[index++].c_str());
}
char** complete(const char* text, int start, int) {
  completion_choices = stratumd::console_completions(
      std::string(rl_line_buffer, static_cast<std::size_t>(start)) + text);
  ::rl_attempted_completion_over = 1;  // never fall back to file names
  return ::rl_completion_matches(text, next_completion);
}

std::string history_path() {
  const char* home = std::getenv("HOME");
  return home && *home ? std::string(home) + "/.stratumctl_history" : std::string();
}

}  // namespace

int main(int argc, char** argv) {
  std::string socket_path = "/run/stratumd/console.sock";
  std::optional<std::string> one_command;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if ((arg == "--socket" || arg == "-s") && i + 1 < argc) {
      socket_path = argv[++i];
    } else if (arg == "-c" && i + 1 < argc) {
      one_command = argv[++i];
    } else if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    } else if (arg == "--version") {
      std::cout << "stratumctl " << STRATUMD_VERSION << "\n";
      return 0;
    } else if (arg == "--complete" && i + 1 < argc) {
      // For the shell's completion of `-c`: the console's own choices for the line so far, one
      // a line (no daemon needed).
      for (const std::string& choice : stratumd::console_completions(argv[++i])) {
        std::cout << choice << "\n";
      }
      return 0;
    } else {
      std::cerr << "stratumctl: unknown option '" << arg << "'\n" << kUsage;
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
  if (one_command) {
    const Outcome outcome = run_command(fd.get(), *one_command, pending);
    if (outcome == Outcome::gone) std::cerr << "stratumctl: stratumd closed the console\n";
    return outcome == Outcome::done ? 0 : 1;
  }

  const bool interactive = ::isatty(STDIN_FILENO) != 0;
  if (!interactive) {
    // A script's commands all run; the status says whether any was refused.
    int status = 0;
    for (std::string line; std::getline(std::cin, line);) {
      if (line == "quit" || line == "exit") break;
      const Outcome outcome = run_command(fd.get(), line, pending);
      if (outcome == Outcome::gone) return 1;
      if (outcome == Outcome::failed) status = 1;
    }
    return status;
  }
  const std::string history = history_path();
  if (!history.empty()) ::read_history(history.c_str());
  ::rl_attempted_completion_function = complete;
  std::cout << "stratumd console; 'help' lists the commands, Tab completes, 'quit' leaves"
            << std::endl;
  int status = 0;
  for (;;) {
    char* input = ::readline("stratumd> ");
    if (!input) break;  // Ctrl-D
    std::string line = input;
    std::free(input);
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    ::add_history(line.c_str());
    if (!history.empty()) ::write_history(history.c_str());
    if (line == "quit" || line == "exit") break;
    if (run_command(fd.get(), line, pending) == Outcome::gone) {
      std::cerr << "stratumctl: stratumd closed the console\n";
      status = 1;
      break;
    }
  }
  return status;
}
