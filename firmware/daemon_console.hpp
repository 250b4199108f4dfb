// The daemon's side of the console: what `status` and `show sources` print, how a candidate
// configuration is parsed (as the configuration file, includes and keys resolved from disk), and
// `apply` with its watch: the previous configuration comes back by itself when, by the end of the
// window, the daemon was synchronised before and is not, or stopped answering its own loopback
// probe.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "drivers/console/console_server.hpp"
#include "drivers/net/ntp_worker.hpp"
#include "drivers/net/self_probe.hpp"
#include "drivers/os/event_loop.hpp"
#include "firmware/console/console_session.hpp"
#include "firmware/control/control_variables.hpp"
#include "firmware/reference_sources.hpp"

namespace stratumd {

// The last lines the daemon logged, for the console's `log`.
class LogRing {
 public:
  void add(std::string line);
  std::vector<std::string> last(std::size_t n) const;

 private:
  static constexpr std::size_t kCapacity = 500;
  std::deque<std::string> lines_;
};

// `status`: the appliance at a glance.
std::string console_status(const ClockSnapshot& snapshot, const LoopStatus& loop,
                           const ServerCounters& served, const ReferenceReport& reference,
                           int satellites, bool system_clock, UtcTime now);
// `show sources`.
std::string console_sources(const ReferenceSources& sources, const ReferenceReport& reference,
                            bool pps);

struct DaemonConsoleHooks {
  std::function<std::string()> status;
  std::function<std::string()> sources;
  std::function<bool()> synchronised;
  // Puts a parsed configuration in force (all or nothing): applied?, and what happened.
  std::function<std::pair<bool, std::string>(const DaemonConfig&)> reload;
  std::function<void(const std::string&)> log;
  // "--simulate" or "--replay" when a command-line option supplies the reference clock, so the
  // configuration's reference clock lines are never used.
  std::string reference_override;
};

class DaemonConsole final : public ConsoleBackend {
 public:
  DaemonConsole(EventLoop& loop, std::optional<std::string> config_file, std::string running_text,
                const LogRing& log_ring, SelfProbe* probe, DaemonConsoleHooks hooks);
  ~DaemonConsole() override;

  std::string status() override { return hooks_.status(); }
  std::string sources() override { return hooks_.sources(); }
  std::string config_path() override;
  std::string running_config_text() override { return running_text_; }
  std::vector<std::string> waiting_for_restart() override;
  std::string not_used() override;
  DaemonConfig parse(const std::string& text) override;
  // Whether a configuration handed to the console may read `path` (includefile, keys).
  bool may_read(const std::string& path) const;
  ConsoleReply apply(const std::string& text, int watch_seconds) override;
  ConsoleReply save(const std::string& text) override;
  std::vector<std::string> recent_log(std::size_t lines) override { return log_ring_.last(lines); }

  // SIGHUP re-read the file: that is what runs now.
  void set_running_text(std::string text) { running_text_ = std::move(text); }

 private:
  void watch_step();
  void finish_watch();

  EventLoop& loop_;
  std::optional<std::string> config_file_;
  std::string running_text_;
  const std::string started_text_;  // what the process started with: restart-only settings
  const LogRing& log_ring_;
  SelfProbe* probe_;
  DaemonConsoleHooks hooks_;

  struct Watch {
    std::string previous_text;
    bool was_synchronised = false;
    std::chrono::steady_clock::time_point until;
    std::chrono::steady_clock::time_point started;
  };
  std::optional<Watch> watch_;
};

// The console's socket, one session per connection; nullptr (and the reason logged) when it cannot
// be opened: the daemon serves without a console rather than not at all.
std::unique_ptr<ConsoleServer> open_console_socket(
    EventLoop& loop, const std::string& path, DaemonConsole& console,
    const std::function<void(const std::string&)>& log);

}  // namespace stratumd
