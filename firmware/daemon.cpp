#include "firmware/daemon.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <thread>
#include <variant>

#include "drivers/clock/clock_precision.hpp"
#include "drivers/net/local_addresses.hpp"
#include "drivers/os/privileges.hpp"
#include "drivers/os/syscall_filter.hpp"
#include "drivers/os/text_file.hpp"
#include "firmware/board_selection.hpp"
#include "firmware/config/config_reload.hpp"
#include "firmware/config/loop_settings.hpp"
#include "firmware/console_port.hpp"
#include "firmware/control/metrics_text.hpp"
#include "firmware/discipline/drift_file.hpp"
#include "firmware/leap_table_loader.hpp"
#include "firmware/ntp/reference_id.hpp"
#include "firmware/status_line.hpp"
#include "firmware/system_statistics.hpp"
#include "refclock/gps_week_rollover.hpp"

namespace stratumd {
namespace {

// Under systemd, standard error is the journal, which names the daemon itself: no "stratumd: ".
const char* stderr_prefix() {
  static const bool journal = Logger::is_journal(STDERR_FILENO);
  return journal ? "" : "stratumd: ";
}

void say(const std::string& line) {
  std::fprintf(stderr, "%s%s\n", stderr_prefix(), line.c_str());
}

// The simulated board boots with its clock this far off, so the simulation shows the first step.
constexpr std::chrono::milliseconds kSimulatedBootOffset{300};

std::optional<std::string> read_file(const std::string& path) {
  return read_text_file(path);
}

bool file_exists(const std::string& path) {
  return ::access(path.c_str(), R_OK) == 0;
}

UtcTime realtime_as_utc() {
  return UtcTime{kernel_realtime_now().time_since_epoch()};
}

// Reads and reports the configuration: the one given, else the first of the default places that
// exists, else the built-in default (which serves unsynchronised).
DaemonConfig load_config(const std::optional<std::string>& file) {
  DaemonConfig config;
  if (!file) return config;
  config = parse_ntp_conf(*file, read_file);
  const std::vector<std::string> board_notes = apply_board(config, default_board_places());
  for (const ConfigFinding& finding : config.findings) {
    std::fprintf(stderr, "%s\n", finding.format().c_str());
  }
  for (const std::string& note : board_notes) std::fprintf(stderr, "%s\n", note.c_str());
  return config;
}

std::string listening_text(const ListenPlan& plan) {
  std::string text;
  for (const ListenEndpoint& e : plan.endpoints) {
    text +=
        (text.empty() ? "" : ", ") +
        (e.interface_name.empty() ? std::string(e.address.family == IpFamily::v4 ? "IPv4" : "IPv6")
                                  : e.address.to_string() + (e.drop ? " (drop)" : ""));
  }
  return text;
}

// The console probes our own server through 127.0.0.1 when it applies a configuration.
bool serves_loopback(const ListenPlan& plan) {
  return std::any_of(plan.endpoints.begin(), plan.endpoints.end(), [](const ListenEndpoint& e) {
    return e.address.family == IpFamily::v4 && !e.drop &&
           (e.interface_name.empty() || e.address.to_string() == "127.0.0.1");
  });
}

// Everything before the daemon is built: the configuration, --check-config, and the plan. The
// exit status when the daemon must not start.
std::variant<DaemonSetup, int> prepare(const Options& options) {
  DaemonSetup setup;
  setup.config_file = options.config_file ? options.config_file : find_default_config(file_exists);
  setup.config = load_config(setup.config_file);
  setup.config_name = setup.config_file.value_or("built-in default");
  if (options.check_console_port) {
    const auto conflict =
        console_port_conflict(setup.config, *options.check_console_port, host_port_lookup());
    if (!conflict) return 0;
    std::fprintf(stderr, "stratumd: %s\n", conflict->c_str());
    return 1;
  }
  setup.plan = plan_start(options, setup.config, SystemClock::can_steer,
                          std::thread::hardware_concurrency(), STRATUMD_BUILD_DATE);
  setup.host_findings =
      host_findings(setup.config, setup.config_name, !setup.plan.simulate && !setup.plan.replay);
  for (const HostFinding& f : setup.host_findings) std::fprintf(stderr, "%s\n", f.text.c_str());
  if (options.check_config) {
    std::size_t host_errors = 0;
    for (const HostFinding& f : setup.host_findings) host_errors += f.error;
    std::size_t host_warnings = setup.host_findings.size() - host_errors;
    // The leapfile as the daemon will load it at start, with the same messages.
    if (const auto& leapfile = setup.config.discipline.leapfile) {
      load_leap_table(*leapfile, realtime_as_utc(), [&](const std::string& line) {
        std::fprintf(stderr, "%s: %s\n", setup.config_name.c_str(), line.c_str());
        host_warnings += line.starts_with("warning:");
      });
    }
    const CheckReport report = check_config_report(setup.config_name, setup.config, host_errors,
                                                   host_warnings, setup.plan);
    std::fputs(report.text.c_str(), stdout);
    return report.exit_status;
  }
  if (setup.config.has_errors()) {
    say(setup.config_name + " has errors; not starting");
    return 1;
  }
  if (setup.plan.no_time_source) {
    say(setup.config_name + ": " + no_time_source_warning(setup.config));
  }
  const auto base_date = parse_iso_date(setup.plan.base_date);
  if (!base_date) {
    say("tos basedate '" + setup.plan.base_date + "' is not a valid date");
    return 1;
  }
  setup.base_date = *base_date;
  for (const std::string& note : setup.plan.notes) say(note);
  return setup;
}

}  // namespace

int run_daemon(const Options& options) {
  forbid_new_privileges();  // before any thread: all of them inherit it
  std::variant<DaemonSetup, int> setup = prepare(options);
  if (const int* status = std::get_if<int>(&setup)) return *status;
  try {
    Daemon daemon(options, std::move(std::get<DaemonSetup>(setup)));
    return daemon.run();
  } catch (const std::exception& e) {
    if (*e.what()) say(e.what());
    return 1;
  }
}

Daemon::Daemon(const Options& options, DaemonSetup setup)
    : options_(options),
      config_file_(std::move(setup.config_file)),
      config_name_(std::move(setup.config_name)),
      config_(std::move(setup.config)),
      plan_(std::move(setup.plan)),
      base_date_(setup.base_date),
      host_findings_(std::move(setup.host_findings)),
      simulated_oscillator_(hardware_counter_, DriftParams{}),
      timebase_(plan_.steer_system_clock ? static_cast<const RawTimebase&>(kernel_time_)
                : plan_.simulate         ? static_cast<const RawTimebase&>(simulated_oscillator_)
                                         : hardware_counter_),
      clock_(open_clock()),
      precision_(precision_from_read_cost(measure_clock_read_cost(clock_))),
      logger_(std::make_unique<Logger>(config_.logfile, options.foreground, config_.log_mask)),
      log_([this](const std::string& line) {
        logger_->log(LogClass::sys, LogKind::events, line);
        log_ring_.add(line);
      }),
      log_clock_([this](const std::string& line) {
        logger_->log(LogClass::clock, LogKind::events, line);
        log_ring_.add(line);
      }),
      log_sync_([this](const std::string& line) {
        logger_->log(LogClass::sync, LogKind::events, line);
        log_ring_.add(line);
      }),
      discipline_(clock_, loop_settings(config_, plan_.allow_first_panic_step), load_drift(),
                  log_sync_),
      system_({config_.sanity_bound, static_cast<std::size_t>(config_.min_sane)}, log_),
      reference_id_(make_refid("PPS")),
      loop_(options.io),
      stats_(log_),
      started_(std::chrono::steady_clock::now()),
      reference_watch_(started_),
      policy_(policy_for(config_)),
      status_line_(!options.quiet_status && !Logger::is_journal(STDOUT_FILENO)),
      next_calibration_save_(std::chrono::steady_clock::now() + std::chrono::hours{1}) {
  warn_about_keys_file();
  publish();
  reference_report_.poll_log2 = 4;
  reference_report_.has_reference_clock = plan_.has_reference_clock;
  last_known_time_ = load_last_known_time();
  sources_ = make_reference_sources(config_);
  apply(config_);
  open_server();
  start_serving();
  start_network();
  open_metrics();
  open_console();
  open_status_led();
  drop_privileges();
}

Daemon::~Daemon() = default;

Clock& Daemon::open_clock() {
  if (plan_.steer_system_clock) {
    system_clock_ = std::make_unique<SystemClock>();
    return *system_clock_;
  }
  virtual_clock_ = std::make_unique<VirtualClock>(
      timebase_, realtime_as_utc() + (plan_.simulate ? kSimulatedBootOffset : Nanoseconds{0}));
  return *virtual_clock_;
}

// The drift file gives the loop the crystal's frequency at once (ntpd's format and checks).
bool Daemon::load_drift() {
  if (!config_.driftfile) return false;
  const auto text = read_file(*config_.driftfile);
  if (!text) return false;
  const DriftRead drift = parse_drift_file(*text);
  if (!drift.ppm) {
    say("warning: " + *config_.driftfile + ": " + drift.problem +
        "; ignored, the frequency is learnt afresh");
    return false;
  }
  clock_.set_frequency(*drift.ppm);
  char line[160];
  std::snprintf(line, sizeof line, "frequency %+.3f ppm from %s", *drift.ppm,
                config_.driftfile->c_str());
  say(line);
  return true;
}

// Secret keys readable by others are not secret (chrony and OpenSSH say so too).
void Daemon::warn_about_keys_file() {
  if (!config_.auth.keys_file) return;
  struct stat info {};
  if (::stat(config_.auth.keys_file->c_str(), &info) != 0 || !(info.st_mode & 0077)) return;
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(info.st_mode & 07777));
  log_("warning: keys file " + *config_.auth.keys_file + " is readable by others (mode " + mode +
       "); chmod 600 it");
}

// Throws std::runtime_error naming the line of a clock that cannot be set up.
std::unique_ptr<ReferenceSources> Daemon::make_reference_sources(const DaemonConfig& config) {
  auto fresh = std::make_unique<ReferenceSources>(
      loop_, clock_, config, plan_.simulate,
      options_.replay_file ? std::optional<ReplaySettings>(
                                 ReplaySettings{*options_.replay_file, options_.replay_speed})
                           : std::nullopt,
      base_date_, [this](const ReferenceSample& s) { on_reference_sample(s); }, log_clock_);
  fresh->on_timecode([this](std::string_view timecode) {
    reference_report_.last_timecode.assign(timecode);
    stats_.on_timecode(clock_.now(), reference_report_.source_address, timecode);
  });
  // A PPS without a receiver is numbered by the clock while the network's majority agrees with
  // it to within 0.1 s: far inside the half second that would name the wrong second.
  fresh->number_pps_by_clock([this] {
    const std::optional<double> offset = system_.majority_offset();
    return offset && std::abs(*offset) < 0.1 && published_.load().synchronised();
  });
  // A receiver date just before the base date is judged against what we know of the time.
  fresh->know_time_by([this]() -> std::optional<UtcTime> {
    return clock_known_good() ? std::optional<UtcTime>(clock_.now()) : last_known_time_;
  });
  reference_report_.source_address = fresh->source_address();
  reference_report_.host_name = fresh->host_name();
  reference_report_.device = fresh->device();
  return fresh;
}

// The port, before the fork: a bind that fails is an exit status the caller sees.
void Daemon::open_server() {
  listen_plan_ = plan_listening(config_.interface_rules, list_local_addresses(), ipv6_available());
  for (const std::string& note : listen_plan_.notes) say(note);
  if (listen_plan_.endpoints.empty()) throw std::runtime_error("");
  publish_control();
  worker_shared_.emplace(WorkerShared{published_, timebase_, policy_, !plan_.plain_io,
                                      &control_published_, &association_inbox_, &interleaved_});
  server_.emplace(ServerSetup{options_.port, plan_.threads, listen_plan_.endpoints},
                  *worker_shared_);
}

void Daemon::start_serving() {
  if (!options_.foreground && ::daemon(0, 0) != 0) throw_errno("daemon");
  if (options_.pidfile) pidfile_.emplace(*options_.pidfile);
  // After the fork, before the workers start (they must not take the signals).
  signals_.emplace(loop_, [this] {
    logger_->reopen();  // logrotate moved the file
    reload_file();
  });
  if (plan_.plain_io) {
    server_->serve_in(loop_);
  } else {
    server_->start();
  }
  say("serving NTP on UDP port " + std::to_string(options_.port) + " (" +
      listening_text(listen_plan_) + ") with " + std::to_string(plan_.threads) + " " +
      (plan_.plain_io ? "plain" : "batched") + " worker(s); " +
      std::to_string(policy_.load().restrictions.entry_count()) + " restrict entries; config: " +
      config_name_ + "; precision 2^" + std::to_string(int{precision_}) + " s; clock: " +
      (system_clock_ ? "the system clock (clock_adjtime)" : "in-process virtual clock"));
  bind_kernel_pps();
  sources_->start();
  log_("reference: " + sources_->describe());
  if (!server_->kernel_receive_stamps()) {
    log_(
        "warning: this kernel does not stamp arrivals (SO_TIMESTAMPNS refused): requests are "
        "stamped when read, later by the time they waited in the socket");
  }
}

// `enable kernel`, or ntpd's flag3 on a PPS (or an NMEA clock's PPS): the kernel's PPS loop
// steers from a bound kernel PPS device, as with ntpd.
void Daemon::bind_kernel_pps() {
  if (!plan_.kernel_pps_wanted) return;
  const std::string asked = plan_.kernel_pps_by_flag3 ? "flag3" : "enable kernel";
  const std::string why_not =
      system_clock_ ? sources_->bind_kernel_pps() : "stratumd is not steering the system clock";
  if (!why_not.empty()) {
    log_(asked + ": " + why_not + "; stratumd's PPS servo steers instead");
    return;
  }
  system_clock_->set_kernel_pps_discipline(true);
  discipline_.set_kernel_pps(true);
  kernel_pps_ = true;
  log_(asked + ": the kernel's PPS loop steers the clock");
}

// Upstream servers, peers and broadcast clients, judged by the system process.
void Daemon::start_network() {
  network_ = std::make_unique<NetworkSources>(loop_, clock_, config_, precision_,
                                              association_inbox_, system_, network_hooks());
  start_resolving();
}

NetworkSources::Hooks Daemon::network_hooks() {
  NetworkSources::Hooks hooks;
  hooks.reference = [this] { return reference_state(); };
  hooks.steer = [this](const NetworkSteer& steer) { on_network_offset(steer); };
  hooks.log = log_;
  hooks.keys = [this]() -> const AuthSettings& { return policy_.load().auth; };
  hooks.snapshot = [this] { return published_.load(); };
  hooks.send_from_port = [this](const SocketAddress& to, std::span<const std::uint8_t> bytes) {
    return server_->send_from_server_port(to, bytes);
  };
  hooks.join_multicast = [this](const IpAddress& group) { return server_->join_multicast(group); };
  hooks.set_multicast_ttl = [this](int ttl) { server_->set_multicast_ttl(ttl); };
  hooks.local_addresses = [] {
    std::vector<IpAddress> addresses;
    for (const LocalAddress& a : list_local_addresses()) addresses.push_back(a.address);
    return addresses;
  };
  return hooks;
}

// Prometheus metrics (HTTP via civetweb and/or a node_exporter textfile).
void Daemon::open_metrics() {
  if (config_.metrics_listen.empty() && config_.metrics_textfile.empty()) return;
  try {
    metrics_ = std::make_unique<MetricsExporter>(config_.metrics_listen, config_.metrics_textfile);
    log_("metrics:" +
         (config_.metrics_listen.empty() ? "" : " http://" + config_.metrics_listen + "/metrics") +
         (config_.metrics_textfile.empty() ? "" : " textfile " + config_.metrics_textfile));
  } catch (const std::runtime_error& e) {
    log_(std::string("warning: ") + e.what());
  }
}

// The console (stratumctl) on its Unix socket, checked against a loopback probe of our own
// server when it applies a configuration.
void Daemon::open_console() {
  if (serves_loopback(listen_plan_))
    self_probe_ = std::make_unique<SelfProbe>(loop_, options_.port);
  if (options_.console_socket.empty()) return;
  console_ = std::make_unique<DaemonConsole>(
      loop_, config_file_, config_file_ ? read_file(*config_file_).value_or("") : std::string(),
      log_ring_, self_probe_.get(), console_hooks());
  console_server_ = open_console_socket(loop_, options_.console_socket, *console_, log_);
}

DaemonConsoleHooks Daemon::console_hooks() {
  DaemonConsoleHooks hooks;
  hooks.status = [this] {
    std::string text = console_status(published_.load(), discipline_.status(), server_->counters(),
                                      reference_report_, sources_->satellites_used(),
                                      system_clock_ != nullptr, clock_.now());
    if (!config_.board_summary.empty()) text += "board:      " + config_.board_summary + "\n";
    return text;
  };
  hooks.sources = [this] {
    return console_sources(*sources_, reference_report_, sample_kind_ == SampleKind::pps);
  };
  hooks.synchronised = [this] { return published_.load().synchronised(); };
  hooks.reload = [this](const DaemonConfig& next) { return reload(next); };
  hooks.log = log_;
  hooks.reference_override = plan_.simulate ? "--simulate" : plan_.replay ? "--replay" : "";
  return hooks;
}

// The LED's files are opened now, while the daemon may still be root. No LED is no reason not to
// serve: a problem is a warning.
void Daemon::open_status_led() {
  if (!config_.status_led || *config_.status_led == "none") return;
  try {
    status_led_ = std::make_unique<StatusLed>(
        loop_, default_board_places().host_root + "/sys/class/leds/" + *config_.status_led, log_);
    log_("status LED: " + status_led_->directory());
    show_status_led();
  } catch (const std::runtime_error& e) {
    log_(std::string("warning: ") + e.what());
  }
}

// A fault: nothing to serve from, or reference clocks silent for a minute while the clock is
// neither locked nor holding over (an unplugged receiver, a wrong device, or one gone beyond
// holdover); a receiver lost while locked shows holdover first.
void Daemon::show_status_led() {
  if (!status_led_) return;
  constexpr std::chrono::seconds kSilent{60};
  const SyncState state = discipline_.status().state;
  const bool silent = plan_.has_reference_clock && !system_.network_steers() &&
                      reference_watch_.silent_for(kSilent, std::chrono::steady_clock::now());
  status_led_->show(led_pattern(led_state(state, plan_.no_time_source || silent)));
}

// Everything that needs root is open: the port, the devices, the console socket.
void Daemon::drop_privileges() {
  const bool steering = system_clock_ != nullptr;
  const char* kept = steering ? ", keeping only CAP_SYS_TIME" : ", with no capabilities";
  if (options_.run_as) {
    const Account account = find_account(*parse_run_as(*options_.run_as));
    logger_->hand_over(account.uid, account.gid);
    stratumd::drop_privileges(account, steering);
    log_("running as " + *options_.run_as + kept);
    // What root could write, the account may not: say so now, not at the first drift save.
    for (const HostFinding& f : host_findings(config_, config_name_, false)) {
      if (std::none_of(host_findings_.begin(), host_findings_.end(),
                       [&](const HostFinding& before) { return before.text == f.text; })) {
        log_("as " + *options_.run_as + ": " + f.text);
      }
    }
  } else if (drop_capabilities(steering)) {
    log_(std::string("started with capabilities as an ordinary account") + kept);
  }
  if (options_.syscall_filter != SyscallFilterLevel::off) {
    install_syscall_filter(options_.syscall_filter);
    log_("system call filter on (-F 1)");
  }
}

// The settings start-up and every reload derive from a configuration.
void Daemon::apply(const DaemonConfig& config) {
  policy_.publish(policy_for(config));
  if (network_) network_->keys_changed();
  discipline_.set_config(loop_settings(config, plan_.allow_first_panic_step));
  logger_->set_mask(config.log_mask);
  discipline_.set_leap_table(config.discipline.leapfile
                                 ? load_leap_table(*config.discipline.leapfile, clock_.now(), log_)
                                 : std::nullopt);
  stats_.configure(config);
  if (&config != &config_) config_ = config;
  if (network_) start_resolving();
  load_calibration();
}

// A reload (SIGHUP, the console's apply): everything or nothing. A configuration with errors,
// or reference clocks that cannot be set up, leave the running one untouched.
std::pair<bool, std::string> Daemon::reload(const DaemonConfig& next) {
  if (next.has_errors()) {
    std::size_t errors = 0;
    for (const ConfigFinding& f : next.findings) errors += f.severity == Severity::error;
    return {false, std::to_string(errors) + " error(s); still running the previous configuration"};
  }
  const ReloadPlan plan = plan_reload(config_, next);
  std::unique_ptr<ReferenceSources> fresh;
  if (plan.reference_clocks_changed && !plan_.simulate && !plan_.replay) {
    try {
      fresh = make_reference_sources(next);
    } catch (const std::runtime_error& e) {
      return {false, std::string(e.what()) + "; still running the previous configuration"};
    }
  }
  std::string summary = "applied";
  if (fresh) {
    save_calibration();
    sources_ = std::move(fresh);
    sources_->start();
    summary += "; reference clocks rebuilt: " + sources_->describe();
  } else if (plan.reference_clocks_changed) {
    summary += std::string("; reference clock lines not used: ") +
               (plan_.simulate ? "--simulate" : "--replay") + " supplies the reference clock";
  } else {
    summary += "; reference clocks unchanged (their state kept)";
  }
  // After apply: associations a reload adds or changes sign with the keys it brings.
  apply(next);
  if (network_) network_->reconcile(next, plan.associations);
  const std::string sources = plan.associations.describe();
  summary += sources.empty() ? "; sources unchanged" : "; sources: " + sources;
  for (const std::string& part : plan.needs_restart) {
    summary += "; " + part + " changed: takes effect at the next restart";
  }
  return {true, summary};
}

void Daemon::reload_file() {
  if (!config_file_) {
    log_("SIGHUP: running the built-in default; there is no file to reload");
    return;
  }
  DaemonConfig next = parse_config_with_board(*config_file_, read_file);
  for (const ConfigFinding& f : next.findings) log_(f.format());
  const auto [applied, summary] = reload(next);
  log_("reload of " + *config_file_ + (applied ? ": " : " refused: ") + summary);
  if (applied && console_) console_->set_running_text(read_file(*config_file_).value_or(""));
}

// How long the first step waits at start for the network: a reachable server answers iburst
// within seconds (the reference clock's side: ReferenceWatch::kAwaited). The decision is then
// taken over all sources at once (docs/associations.md).
constexpr std::chrono::seconds kNetworkAwaited{15};

// Only servers polled in a burst at start (iburst) answer within the wait; others would hold the
// first step for nothing.
bool Daemon::network_awaited() const {
  const bool answers_soon = std::any_of(config_.associations.begin(), config_.associations.end(),
                                        [](const AssociationLine& line) { return line.iburst; });
  return answers_soon && network_ && network_->configured() && !system_.network_heard() &&
         discipline_.status().state == SyncState::unsynchronised &&
         std::chrono::steady_clock::now() - started_ < kNetworkAwaited;
}

void Daemon::on_reference_sample(const ReferenceSample& s) {
  const auto now = std::chrono::steady_clock::now();
  reference_watch_.heard(s, now);
  if (discipline_.status().state == SyncState::unsynchronised && network_ &&
      network_->configured()) {
    // The first step is one decision over all sources: the network is heard first (briefly),
    // then judges this sample before it may set the clock.
    if (network_awaited()) return;
    network_->reselect();
  }
  if (!system_.reference_sample()) return;  // the network majority says no
  if (sample_kind_ != s.kind) {
    if (sample_kind_)
      log_(s.kind == SampleKind::pps ? "PPS numbers the seconds again"
                                     : "PPS lost: NMEA-only samples");
    sample_kind_ = s.kind;
  }
  reference_id_ = s.reference_id;
  // Receivers only ever learn UTC, never unlearn it: a whole-second jump soon after the first fix
  // is the receiver's correction, not a lie to sit out for stepout (a network quorum judged it
  // first: a falseticker never gets here).
  const bool corrected =
      discipline_.status().state != SyncState::unsynchronised &&
      reference_watch_.utc_correction(s, to_seconds(discipline_.config().step_threshold), now);
  if (corrected) {
    log_clock_("the receiver's time moved by " +
               std::to_string(std::lround(to_seconds(s.sample.offset()))) +
               " whole seconds within its first minutes: taken as its correction to UTC");
  }
  discipline_.on_sample(
      s.sample, s.kind == SampleKind::pps ? SampleClass::pps : SampleClass::coarse, corrected);
  after_clock_update();
  ++reference_report_.samples;
  reference_report_.reach |= 1;
  stats_.on_sample(clock_.now(), discipline_.status(), published_.load(),
                   reference_report_.source_address);
}

void Daemon::on_network_offset(const NetworkSteer& steer) {
  discipline_.on_sample(
      {steer.taken, steer.taken + from_seconds(steer.offset), LeapIndicator::none, steer.variance},
      SampleClass::network, steer.corroborated);
  after_clock_update();
}

void Daemon::after_clock_update() {
  // After a step of the clock the associations' offsets measured the old clock: forgotten.
  if (discipline_.status().steps != steps_seen_) {
    steps_seen_ = discipline_.status().steps;
    if (network_) network_->clock_stepped(discipline_.status().last_step);
    // So do the receivers' running counts and edges waiting for their label: one step per
    // correction, never a second from samples stamped before it.
    sources_->clock_stepped(discipline_.status().last_step);
    reference_watch_.clock_stepped();
  }
  schedule_clock_service();
  publish();
}

ReferenceClockState Daemon::reference_state() const {
  const SyncState state = discipline_.status().state;
  // Holding over is not serving against the network: while its samples are gone, a network
  // majority steers (within its noise, not the oscillator's drift); it takes back with them.
  const bool serving = !system_.network_steers() && state == SyncState::locked;
  const bool own_servo = !system_.network_steers() && state != SyncState::unsynchronised;
  return reference_watch_.state(
      reference_report_.has_reference_clock, sources_->labels_its_own_seconds(), serving,
      own_servo ? std::optional<double>(to_seconds(discipline_.status().jitter)) : std::nullopt,
      std::chrono::steady_clock::now());
}

// The kernel's clock ends its slews when told: at the time it names, from the loop.
void Daemon::schedule_clock_service() {
  loop_.cancel_timers(&clock_);
  if (const auto due = clock_.service_due()) {
    loop_.call_after(
        std::max(Nanoseconds{0}, *due - clock_.now()), [this] { clock_.service(); }, &clock_);
  }
}

void Daemon::publish() {
  ClockSnapshot snapshot;
  snapshot.model = clock_.model();
  snapshot.precision = precision_;
  discipline_.fill_snapshot(snapshot, reference_id_);
  system_.announce(snapshot);
  published_.store(snapshot);
}

void Daemon::publish_control() {
  reference_report_.pps = sample_kind_ == SampleKind::pps;
  reference_report_.network_steers = system_.network_steers();
  reference_report_.reference_falseticker = system_.reference_falseticker();
  reference_report_.upstreams = network_ ? network_->reports() : std::vector<UpstreamReport>{};
  ControlVariables vars;
  render_control_variables(published_.load(), discipline_.status(), clock_.now(), reference_report_,
                           std::string("stratumd ") + STRATUMD_VERSION, vars, control_statistics_);
  control_published_.store(vars);
}

void Daemon::publish_metrics(const ServerCounters& served, bool write_textfile) {
  if (!metrics_) return;
  MetricsInput in;
  in.version = STRATUMD_VERSION;
  in.snapshot = published_.load();
  in.loop = discipline_.status();
  in.now = clock_.now();
  in.pps_present = sample_kind_ == SampleKind::pps;
  in.reference_samples = reference_report_.samples;
  in.nmea_labels = sources_->nmea_labels();
  in.satellites = sources_->satellites_used();
  in.requests_received = served.received;
  in.requests_by_outcome = served.by_outcome;
  in.interleaved_replies = served.interleaved;
  in.transmit_stamps = served.transmit_stamps;
  in.sources = reference_report_;
  const std::string problem = metrics_->publish(render_metrics(in), write_textfile);
  if (!problem.empty()) log_(problem);
}

// What ntpq's authinfo, timerstats and kerninfo show beside the server's own counters.
void Daemon::add_loop_statistics(SystemStatistics& stats) {
  const auto now = std::chrono::steady_clock::now();
  // A tick more than a second late stands for the ticks it swallowed (ntpd's timer overruns).
  if (last_tick_ != std::chrono::steady_clock::time_point{}) {
    const auto late = now - last_tick_ - std::chrono::seconds{1};
    if (late >= std::chrono::seconds{1})
      timer_overruns_ += static_cast<std::uint64_t>(
          std::chrono::duration_cast<std::chrono::seconds>(late).count());
  }
  last_tick_ = now;
  stats.timer_overruns = timer_overruns_;
  stats.keys = config_.auth.keys.size();
  stats.transmissions = 0;
  for (const UpstreamReport& u : reference_report_.upstreams) stats.transmissions += u.sent;
  if (network_) stats.mac += network_->mac_counters();
  if (system_clock_) return;
  // Under -x the kernel's loop is not the served clock: kerninfo shows the in-process clock's
  // loop instead, and says so, rather than a kernel loop nobody steers.
  const LoopStatus loop = discipline_.status();
  const ClockSnapshot snapshot = published_.load();
  KernelLoopState k;
  k.offset_ms = to_seconds(loop.last_offset) * 1e3;
  k.frequency_ppm = loop.frequency_ppm;
  k.max_error_ms = to_seconds(snapshot.root_dispersion_at(clock_.now())) * 1e3;
  k.estimated_error_ms = to_seconds(loop.jitter) * 1e3;
  k.status_flags = "virtual clock (-x): stratumd's own, the kernel's is not steered";
  k.time_constant = loop.poll_log2;
  k.precision_ms = std::ldexp(1.0, precision_) * 1e3;
  k.tolerance_ppm = 500;
  stats.kernel = k;
}

// Once a second: the discipline's clock, what is served and shown, and the saved state.
void Daemon::tick() {
  discipline_.on_tick(clock_.now());
  // Also after a timer that ran early: the slew still ends. The tick may set the clock (network
  // samples that paused before it was set).
  after_clock_update();
  if (system_clock_) {
    const ClockSnapshot snapshot = published_.load();
    system_clock_->report_synchronisation(snapshot.synchronised(), discipline_.status().jitter,
                                          snapshot.root_dispersion_at(clock_.now()));
  }
  // The reach register shifts once a poll interval (16 s), as ntpd's does.
  if (++ticks_ % (1 << reference_report_.poll_log2) == 0) {
    reference_report_.reach = static_cast<std::uint8_t>(reference_report_.reach << 1);
  }
  // The workers' counters, summed once for everything that shows them this second.
  const ServerCounters served = server_->counters();
  control_statistics_ =
      collect_system_statistics(served, std::chrono::steady_clock::now() - started_);
  control_statistics_.monitor = server_->monitor_statistics(NtpTimestamp::from_utc(clock_.now()));
  add_loop_statistics(control_statistics_);
  publish_control();
  follow_source_addresses();
  publish_metrics(served, ticks_ % 15 == 1);
  // A line a second is for a terminal or a test's log, not for the journal of an SD card.
  if (status_line_) print_status_line(discipline_.status(), served, sources_->calibration_status());
  if (ticks_ % 5 == 0) keep_console_socket();
  show_status_led();
  // The first lock's frequency is written at once (a power cut in the first hour keeps it), then
  // hourly and at exit.
  if (!drift_saved_locked_ && discipline_.status().state == SyncState::locked) {
    drift_saved_locked_ = true;
    save_drift();
  }
  if (std::chrono::steady_clock::now() >= next_calibration_save_) {
    save_drift();
    save_calibration();
    next_calibration_save_ += std::chrono::hours{1};
  }
  loop_.call_after(std::chrono::seconds{1}, [this] { tick(); });
}

// A removed console socket (a cleanup of /run, an operator's rm) is made again.
void Daemon::keep_console_socket() {
  if (!console_server_ || console_server_->still_there()) return;
  console_server_.reset();
  console_server_ = open_console_socket(loop_, options_.console_socket, *console_, log_);
  if (console_server_) log_("the console socket had gone: made again");
}

// The keep-alive comes from the main loop (which steers and runs the associations) and only
// while every worker thread went round since the last one: a hung worker, or a stopped loop,
// stops the keep-alives and systemd restarts the daemon.
void Daemon::keep_alive(std::chrono::microseconds interval) {
  if (server_->workers_progressed()) {
    notify_service_manager("WATCHDOG=1");
    said_worker_stuck_ = false;
  } else if (!said_worker_stuck_) {
    log_("a server thread has not gone round in " +
         std::to_string(std::chrono::duration_cast<std::chrono::seconds>(interval / 2).count()) +
         " s: no watchdog keep-alive (systemd restarts the daemon if it stays stuck)");
    said_worker_stuck_ = true;
  }
  loop_.call_after(interval / 2, [this, interval] { keep_alive(interval); });
}

int Daemon::run() {
  loop_.call_after(std::chrono::seconds{1}, [this] { tick(); });
  notify_service_manager("READY=1");  // systemd's Type=notify: serving from here on
  if (const auto watchdog = service_watchdog_interval()) {
    // READY=1 is the first sign of life; the workers' rounds count from here, so the first
    // judgement, half an interval on, does not take threads that just started for stuck ones.
    server_->workers_progressed();
    loop_.call_after(*watchdog / 2, [this, interval = *watchdog] { keep_alive(interval); });
  }
  loop_.run();
  notify_service_manager("STOPPING=1");
  if (kernel_pps_) system_clock_->set_kernel_pps_discipline(false);
  save_drift();
  save_calibration();
  server_->stop();
  const ServerCounters served = server_->counters();
  char line[120];
  std::snprintf(line, sizeof line, "stopping; %" PRIu64 " requests, %" PRIu64 " answered",
                served.received, served.answered());
  say(line);
  return 0;
}

// The learnt NMEA delays live beside the drift file and survive restarts.
std::optional<std::string> Daemon::calibration_file() const {
  if (!config_.driftfile) return std::nullopt;
  return *config_.driftfile + ".nmea-delay";
}

void Daemon::load_calibration() {
  const auto file = calibration_file();
  if (!file) return;
  const auto text = read_file(*file);
  if (text && sources_->load_calibration(*text)) {
    log_("loaded the learnt NMEA delay from " + *file + ": " + sources_->calibration_status());
  }
}

void Daemon::save_calibration() {
  const auto file = calibration_file();
  if (!file) return;
  const std::string text = sources_->serialized_calibration();
  if (!text.empty()) write_atomically(*file, text);
}

// Only a frequency the loop has locked with is worth keeping; with it, the time it was kept at
// (as systemd-timesyncd keeps its clock file): the latest time this appliance knew for sure.
void Daemon::save_drift() {
  const SyncState state = discipline_.status().state;
  if (config_.driftfile && (state == SyncState::locked || state == SyncState::holdover)) {
    write_atomically(*config_.driftfile, format_drift_file(clock_.frequency_ppm()));
    if (clock_known_good()) {
      const auto seconds =
          std::chrono::floor<std::chrono::seconds>(clock_.now()).time_since_epoch().count();
      write_atomically(*last_known_time_file(), std::to_string(seconds) + "\n");
    }
  }
}

// Synchronised, and not doubted: what the clock says is time this appliance knows.
bool Daemon::clock_known_good() const {
  const SyncState state = discipline_.status().state;
  return (state == SyncState::locked || state == SyncState::holdover) && !discipline_.doubted();
}

std::optional<std::string> Daemon::last_known_time_file() const {
  if (!config_.driftfile) return std::nullopt;
  return *config_.driftfile + ".time";
}

std::optional<UtcTime> Daemon::load_last_known_time() const {
  const auto file = last_known_time_file();
  if (!file) return std::nullopt;
  const auto text = read_file(*file);
  if (!text) return std::nullopt;
  long long seconds = 0;
  if (std::sscanf(text->c_str(), "%lld", &seconds) != 1 || seconds <= 0) return std::nullopt;
  return UtcTime{std::chrono::seconds{seconds}};
}

void Daemon::write_atomically(const std::string& path, const std::string& text) {
  if (!write_file_atomically(path, text)) log_("cannot write " + path);
}

ServerPolicy Daemon::policy_for(const DaemonConfig& config) const {
  return ServerPolicy{build_restrict_table(config.restrictions, resolved_hosts_, source_addresses_),
                      config.discard.value_or(DiscardParams{}), config.auth};
}

// `restrict source`: the associations' addresses get its flags as they come and go (a pool
// member replaced, a server resolved, a reload). Compared once a second, republished on a change.
void Daemon::follow_source_addresses() {
  const bool wanted = std::any_of(config_.restrictions.begin(), config_.restrictions.end(),
                                  [](const RestrictLine& line) { return line.source; });
  std::vector<IpAddress> now;
  if (wanted) {
    for (const UpstreamReport& u : reference_report_.upstreams) {
      if (const auto address = IpAddress::parse(u.address)) now.push_back(*address);
    }
    std::sort(now.begin(), now.end(), [](const IpAddress& a, const IpAddress& b) {
      return std::tie(a.family, a.bytes) < std::tie(b.family, b.bytes);
    });
  }
  if (now == source_addresses_) return;
  source_addresses_ = std::move(now);
  policy_.publish(policy_for(config_));
}

// `restrict HOST` lines apply as their names resolve, in the background with retries.
void Daemon::start_resolving() {
  std::vector<std::string> names;
  for (const RestrictLine& line : config_.restrictions) {
    if (!line.host_name.empty() && !resolved_hosts_.count(line.host_name)) {
      names.push_back(line.host_name);
    }
  }
  resolver_.reset();
  if (names.empty()) return;
  resolver_ = std::make_unique<HostResolver>(
      loop_, names,
      [this](const std::string& name, const std::vector<IpAddress>& addresses) {
        std::string list;
        for (const IpAddress& a : addresses) list += (list.empty() ? "" : ", ") + a.to_string();
        log_("restrict " + name + ": resolved to " + list);
        resolved_hosts_[name] = addresses;
        policy_.publish(policy_for(config_));
      },
      log_);
}

}  // namespace stratumd
