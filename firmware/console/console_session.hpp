// The console shell's commands (stratumctl, over the serial console or the local socket): status
// at a glance, sources, the configuration as a numbered candidate that `add`, `set` and `remove`
// edit with validation, `diff` against the running one, `apply` (atomic, rolled back when the
// daemon does not re-synchronise or stops answering), `save`, `log` and `help`. Pure: everything
// the daemon knows or does comes through ConsoleBackend, so a session is tested as text in, text
// out.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "firmware/config/ntp_conf_parser.hpp"

namespace stratumd {

// A command's reply and whether it did what it asked (stratumctl exits 1 when it did not).
struct ConsoleReply {
  std::string text;
  bool failed = false;  // refused, malformed or unknown
};

class ConsoleBackend {
 public:
  virtual ~ConsoleBackend() = default;
  virtual std::string status() = 0;
  virtual std::string sources() = 0;
  virtual std::string config_path() = 0;          // the file `save` writes
  virtual std::string running_config_text() = 0;  // what is in force now
  // What the running configuration changed since the daemon started that only a restart puts in
  // force (server/pool/peer lines, threads, ...): `show running` says so under the lines.
  virtual std::vector<std::string> waiting_for_restart() = 0;
  // Lines of the running configuration that no reload or restart puts in force as things are
  // (reference clocks while --simulate supplies one), and why; empty when there are none.
  virtual std::string not_used() { return {}; }
  // Parses candidate text as if it were the configuration file (includes resolve from there).
  virtual DaemonConfig parse(const std::string& text) = 0;
  // Applies validated text; `watch_seconds` is the rollback window. Says what happened, and
  // whether it was refused.
  virtual ConsoleReply apply(const std::string& text, int watch_seconds) = 0;
  virtual ConsoleReply save(const std::string& text) = 0;
  virtual std::vector<std::string> recent_log(std::size_t lines) = 0;
};

class ConsoleSession {
 public:
  explicit ConsoleSession(ConsoleBackend& backend);

  // One command line in, the reply out (possibly several lines, each ending in '\n').
  std::string handle(std::string_view line);

  const std::vector<std::string>& candidate() const { return candidate_; }
  // The last command was refused, malformed or unknown (stratumctl's exit status 1).
  bool failed() const { return failed_; }

 private:
  std::string handle_synced(std::string_view command, std::string_view rest);
  // Follows changes made elsewhere (another session, a rollback, SIGHUP); says so when this
  // session has edits of its own.
  std::string sync_running();
  std::string show_config() const;
  std::string diff() const;
  std::string edit(std::vector<std::string> edited, std::size_t changed_line);
  std::string findings_of(const std::string& text, bool errors_only) const;
  void reload_candidate();
  std::string failure(std::string text) {
    failed_ = true;
    return text;
  }
  std::string from_backend(ConsoleReply reply) {
    failed_ = reply.failed;
    return std::move(reply.text);
  }

  ConsoleBackend& backend_;
  std::vector<std::string> running_;
  std::vector<std::string> candidate_;
  bool failed_ = false;
};

// Tab completion for stratumctl: the words that may complete the last word of `line` (commands
// first, directive names after add/set N, sources/config/running after show).
std::vector<std::string> console_completions(std::string_view line);

// Default rollback window for `apply`: long enough for a receiver to be reopened and relocked.
inline constexpr int kDefaultApplyWatchSeconds = 60;

}  // namespace stratumd
