#include "firmware/daemon_console.hpp"

#include <algorithm>
#include <filesystem>

#include <sys/stat.h>

#include <cstdio>

#include "drivers/os/text_file.hpp"
#include "firmware/board_selection.hpp"
#include "firmware/config/config_reload.hpp"

namespace stratumd {

std::string console_status(const ClockSnapshot& snapshot, const LoopStatus& loop,
                           const ServerCounters& served, const ReferenceReport& reference,
                           int satellites, bool system_clock, UtcTime now) {
  char text[1024];
  const char* leap = "none";
  if (loop.pending_leap) leap = loop.pending_leap->direction > 0 ? "insert" : "delete";
  const double age = loop.last_update ? to_seconds(now - *loop.last_update) : -1.0;
  std::snprintf(
      text, sizeof text,
      "state:      %s (servo %s), stratum %d, leap %s\n"
      "source:     %s, %s, %s, last sample %s\n"
      "offset:     %+.3f us   frequency: %+.3f ppm%s   jitter: %.3f us   wander: %.4f ppm\n"
      "dispersion: %.3f ms (root, announced to clients)\n"
      "clients:    %llu requests, %llu answered, %llu ntpq queries answered, %llu RATE kisses, "
      "%llu dropped\n"
      "clock:      %s; %llu step(s), %llu sample(s), %llu refused\n",
      to_string(loop.state), loop.servo, snapshot.synchronised() ? int{snapshot.stratum} : 16, leap,
      reference.host_name.c_str(), reference.pps ? "PPS" : "no PPS (NMEA-only)",
      satellites < 0 ? "satellites not reported"
                     : (std::to_string(satellites) + " satellites used").c_str(),
      age < 0 ? "never" : (std::to_string(static_cast<int>(age)) + " s ago").c_str(),
      to_seconds(loop.last_offset) * 1e6, loop.frequency_ppm,
      loop.frequency_measuring ? " (being measured)" : "", to_seconds(loop.jitter) * 1e6,
      loop.wander_ppm, to_seconds(snapshot.root_dispersion_at(now)) * 1e3,
      static_cast<unsigned long long>(served.received),
      static_cast<unsigned long long>(served.answered()),
      static_cast<unsigned long long>(served.outcome(RequestOutcome::control_answered)),
      static_cast<unsigned long long>(served.outcome(RequestOutcome::kod_sent)),
      static_cast<unsigned long long>(served.dropped()),
      system_clock ? "the system clock" : "in-process virtual clock",
      static_cast<unsigned long long>(loop.steps), static_cast<unsigned long long>(loop.samples),
      static_cast<unsigned long long>(loop.outliers));
  return text;
}

std::string console_sources(const ReferenceSources& sources, const ReferenceReport& reference,
                            bool pps) {
  char reach[8];
  std::snprintf(reach, sizeof reach, "%03o", reference.reach);
  std::string out =
      reference.source_address + "  " + reference.host_name + "  " + sources.describe() + "\n";
  out += "  samples " + std::to_string(reference.samples) + ", reach " + reach + ", " +
         (pps ? "PPS numbering the seconds" : "NMEA-only") + "\n";
  if (!reference.device.empty()) out += "  device " + reference.device + "\n";
  const std::string calibration = sources.calibration_status();
  if (!calibration.empty()) out += "  " + calibration + "\n";
  if (!reference.last_timecode.empty()) out += "  last timecode " + reference.last_timecode + "\n";
  return out;
}

void LogRing::add(std::string line) {
  if (lines_.size() == kCapacity) lines_.pop_front();
  lines_.push_back(std::move(line));
}

std::vector<std::string> LogRing::last(std::size_t n) const {
  const std::size_t count = std::min(n, lines_.size());
  return {lines_.end() - static_cast<std::ptrdiff_t>(count), lines_.end()};
}

DaemonConsole::DaemonConsole(EventLoop& loop, std::optional<std::string> config_file,
                             std::string running_text, const LogRing& log_ring, SelfProbe* probe,
                             DaemonConsoleHooks hooks)
    : loop_(loop),
      config_file_(std::move(config_file)),
      running_text_(std::move(running_text)),
      started_text_(running_text_),
      log_ring_(log_ring),
      probe_(probe),
      hooks_(std::move(hooks)) {}

DaemonConsole::~DaemonConsole() {
  loop_.cancel_timers(this);
}

std::string DaemonConsole::config_path() {
  return config_file_.value_or("(console)");
}

namespace {

bool under(const std::filesystem::path& path, const std::filesystem::path& directory) {
  const auto [end, rest] =
      std::mismatch(directory.begin(), directory.end(), path.begin(), path.end());
  return end == directory.end() && rest != path.end();
}

std::filesystem::path resolved(const std::string& path) {
  std::error_code ignored;
  return std::filesystem::weakly_canonical(std::filesystem::path(path), ignored).lexically_normal();
}

}  // namespace

// The console runs as root on behalf of whoever may reach its socket: the configuration it is
// handed reads only configuration files (`includefile`, `keys`) and writes only under the
// places a time server writes to, or where the running configuration already writes. Otherwise
// `includefile /etc/shadow` echoed the first word of each line in its findings, and a driftfile
// line made root write anywhere.
bool DaemonConsole::may_read(const std::string& path) const {
  const std::filesystem::path file = resolved(path);
  std::vector<std::filesystem::path> readable{"/etc/stratumd", "/etc/ntpsec", "/etc/ntp.d"};
  if (config_file_) readable.push_back(resolved(*config_file_).parent_path());
  for (const auto& directory : readable) {
    if (under(file, directory)) return true;
  }
  return file == "/etc/ntp.conf" || file == "/etc/ntp.keys";
}

DaemonConfig DaemonConsole::parse(const std::string& text) {
  const std::string path = config_path();
  std::vector<std::string> refused;
  DaemonConfig config =
      parse_config_with_board(path, [&](const std::string& p) -> std::optional<std::string> {
        if (p == path) return text;
        if (!may_read(p)) {
          refused.push_back(p);
          return std::nullopt;
        }
        return read_text_file(p);
      });
  const auto refuse = [&](const std::string& message) {
    config.findings.push_back(ConfigFinding{Severity::error, SourceLocation{path, 0}, message});
  };
  for (const std::string& p : refused) {
    refuse(
        "the console reads configuration files only (under /etc/stratumd, /etc/ntpsec, "
        "/etc/ntp.d or beside " +
        path + "): not " + p);
  }
  const DaemonConfig running = parse_config_with_board(path, [&](const std::string& p) {
    return p == path ? std::optional<std::string>(running_text_) : read_text_file(p);
  });
  const auto check_write = [&](const char* what, const std::string& wanted,
                               const std::string& now) {
    if (wanted.empty() || wanted == now) return;
    const std::filesystem::path file = resolved(wanted);
    for (const char* directory : {"/var/lib", "/var/log", "/run"}) {
      if (under(file, directory)) return;
    }
    refuse(std::string("the console writes ") + what +
           " only under /var/lib, /var/log or /run (or where the running configuration does): "
           "not " +
           wanted);
  };
  check_write("the drift file", config.driftfile.value_or(""), running.driftfile.value_or(""));
  check_write("statistics", config.statsdir, running.statsdir);
  check_write("the log", config.logfile, running.logfile);
  check_write("the metrics textfile", config.metrics_textfile, running.metrics_textfile);
  return config;
}

ConsoleReply DaemonConsole::apply(const std::string& text, int watch_seconds) {
  if (watch_) {
    return {"refused: the previous apply is still being watched; try again shortly\n", true};
  }
  const DaemonConfig next = parse(text);
  const bool was_synchronised = hooks_.synchronised();
  const auto [applied, summary] = hooks_.reload(next);
  if (!applied) return {"refused: " + summary + "\n", true};
  hooks_.log("console: " + summary + "; watching " + std::to_string(watch_seconds) +
             " s before keeping it");
  const auto now = std::chrono::steady_clock::now();
  watch_ = Watch{running_text_, was_synchronised, now + std::chrono::seconds{watch_seconds}, now};
  running_text_ = text;
  loop_.call_after(
      std::chrono::seconds{1}, [this] { watch_step(); }, this);
  return {summary + "\nwatching for " + std::to_string(watch_seconds) +
          " s: rolled back unless the daemon stays synchronised and answering ('save' keeps "
          "it across restarts)\n"};
}

void DaemonConsole::watch_step() {
  if (!watch_) return;
  if (probe_) probe_->send();
  if (std::chrono::steady_clock::now() >= watch_->until) {
    finish_watch();
    return;
  }
  loop_.call_after(
      std::chrono::seconds{1}, [this] { watch_step(); }, this);
}

void DaemonConsole::finish_watch() {
  const Watch watch = *watch_;
  watch_.reset();
  std::string problem;
  if (watch.was_synchronised && !hooks_.synchronised()) {
    problem = "the daemon is no longer synchronised";
  } else if (probe_ && (!probe_->last_answer() || *probe_->last_answer() < watch.started)) {
    problem = "the daemon stopped answering NTP on 127.0.0.1";
  }
  if (problem.empty()) {
    hooks_.log("console: the applied configuration is kept");
    return;
  }
  const auto [restored, summary] = hooks_.reload(parse(watch.previous_text));
  if (restored) running_text_ = watch.previous_text;
  hooks_.log("console: apply rolled back: " + problem + (restored ? "" : "; rollback failed: ") +
             (restored ? "" : summary));
}

ConsoleReply DaemonConsole::save(const std::string& text) {
  if (!config_file_) {
    return {
        "refused: running the built-in default, there is no configuration file to save to "
        "(start with -c FILE)\n",
        true};
  }
  const std::string& path = *config_file_;
  if (const auto old = read_text_file(path)) {
    if (!write_file_atomically(path + ".bak", *old)) {
      return {"cannot write " + path + ".bak; nothing saved\n", true};
    }
  }
  if (!write_file_atomically(path, text))
    return {"cannot write " + path + "; nothing saved\n", true};
  hooks_.log("console: saved the running configuration to " + path);
  return {"saved to " + path + " (the previous file is " + path + ".bak)\n"};
}

std::vector<std::string> DaemonConsole::waiting_for_restart() {
  if (running_text_ == started_text_) return {};
  return plan_reload(parse(started_text_), parse(running_text_)).needs_restart;
}

std::string DaemonConsole::not_used() {
  if (hooks_.reference_override.empty() || parse(running_text_).refclocks.empty()) return {};
  return "the reference clock lines, while " + hooks_.reference_override +
         " supplies the reference clock";
}

std::unique_ptr<ConsoleServer> open_console_socket(
    EventLoop& loop, const std::string& path, DaemonConsole& console,
    const std::function<void(const std::string&)>& log) {
  try {
    // /run/stratumd: systemd's RuntimeDirectory makes it; by hand, we do.
    const std::size_t slash = path.rfind('/');
    if (slash != std::string::npos && slash > 0) ::mkdir(path.substr(0, slash).c_str(), 0750);
    auto server =
        std::make_unique<ConsoleServer>(loop, path, [&console]() -> ConsoleServer::Handler {
          auto session = std::make_shared<ConsoleSession>(console);
          return [session](std::string_view line) {
            std::string text = session->handle(line);
            return ConsoleReply{std::move(text), session->failed()};
          };
        });
    log("console on " + path + " (stratumctl)");
    return server;
  } catch (const std::exception& e) {
    log(std::string("warning: no console: ") + e.what());
    return nullptr;
  }
}

}  // namespace stratumd
