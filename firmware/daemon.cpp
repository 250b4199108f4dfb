#include "firmware/daemon.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <map>
#include <memory>
#include <thread>

#include "drivers/clock/clock_precision.hpp"
#include "drivers/clock/kernel_clocks.hpp"
#include "drivers/clock/system_clock.hpp"
#include "drivers/clock/virtual_clock.hpp"
#include "drivers/console/console_server.hpp"
#include "drivers/net/host_resolver.hpp"
#include "drivers/net/local_addresses.hpp"
#include "drivers/net/ntp_server.hpp"
#include "drivers/net/self_probe.hpp"
#include "drivers/os/event_loop.hpp"
#include "drivers/os/logger.hpp"
#include "drivers/os/metrics_exporter.hpp"
#include "drivers/os/privileges.hpp"
#include "drivers/os/service_manager.hpp"
#include "drivers/os/signal_watch.hpp"
#include "drivers/os/stats_file.hpp"
#include "drivers/os/syscall_filter.hpp"
#include "drivers/os/text_file.hpp"
#include "drivers/sim/drifting_timebase.hpp"
#include "firmware/board_selection.hpp"
#include "firmware/config/config_reload.hpp"
#include "firmware/config/ntp_conf_parser.hpp"
#include "firmware/config/server_plan.hpp"
#include "firmware/control/control_variables.hpp"
#include "firmware/control/metrics_text.hpp"
#include "firmware/daemon_console.hpp"
#include "firmware/discipline/clock_discipline.hpp"
#include "firmware/discipline/drift_file.hpp"
#include "firmware/discipline/loop_settings.hpp"
#include "firmware/host_checks.hpp"
#include "firmware/leap_table_loader.hpp"
#include "firmware/network_sources.hpp"
#include "firmware/ntp/system_process.hpp"
#include "firmware/reference_sources.hpp"
#include "firmware/stats_recorder.hpp"
#include "firmware/status_line.hpp"
#include "firmware/system_statistics.hpp"
#include "firmware/util/big_endian.hpp"
#include "firmware/util/seqlock.hpp"
#include "refclock/gps_week_rollover.hpp"

namespace stratumd {
namespace {

// Under systemd, standard error is the journal, which names the daemon itself: no "stratumd: ".
const char* stderr_prefix() {
  static const bool journal = Logger::is_journal(STDERR_FILENO);
  return journal ? "" : "stratumd: ";
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

// Loads and reports the configuration: the one given, else the first of the default places that
// exists, else the built-in default (the simulated receiver).
std::optional<DaemonConfig> load_config(const std::optional<std::string>& file) {
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

}  // namespace

int run_daemon(const Options& options) {
  forbid_new_privileges();  // before any thread: all of them inherit it
  const std::optional<std::string> config_file =
      options.config_file ? options.config_file : find_default_config(file_exists);
  std::optional<DaemonConfig> config = load_config(config_file);
  const std::string config_name = config_file.value_or("built-in default");
  // Network time sources: upstream servers, symmetric peers, broadcast/multicast clients.
  const bool has_upstreams = std::any_of(
      config->associations.begin(), config->associations.end(), [](const AssociationLine& a) {
        using Kind = AssociationLine::Kind;
        return a.kind == Kind::server || a.kind == Kind::pool || a.kind == Kind::peer ||
               a.kind == Kind::broadcastclient || a.kind == Kind::multicastclient ||
               a.kind == Kind::manycastclient;
      });
  // The simulated receiver runs only when asked: a configuration without a time source serves
  // unsynchronised (as ntpd, stratum 16 to ntpq) and says why.
  const bool simulate = options.simulate;
  const bool no_time_source =
      config->refclocks.empty() && !has_upstreams && !options.replay_file && !simulate;
  const bool receivers_used = !options.simulate && !options.replay_file;
  const std::vector<HostFinding> on_this_host = host_findings(*config, config_name, receivers_used);
  for (const HostFinding& f : on_this_host) std::fprintf(stderr, "%s\n", f.text.c_str());
  if (options.check_config) {
    std::size_t errors = 0;
    for (const ConfigFinding& f : config->findings) errors += f.severity == Severity::error;
    std::size_t warnings = config->findings.size() - errors;
    for (const HostFinding& f : on_this_host) (f.error ? errors : warnings) += 1;
    if (no_time_source) {
      // The reference clocks of many setups live in an include file: one that cannot be read is
      // then the reason nothing would be served.
      const bool include_missing = !config->unreadable_includes.empty();
      std::printf(
          "%s: %s: no reference clock and no network source%s: the daemon would serve "
          "unsynchronised (--simulate runs the built-in simulated receiver)\n",
          config_name.c_str(), include_missing ? "error" : "warning",
          include_missing ? " (an includefile that cannot be read may have declared them)" : "");
      (include_missing ? errors : warnings) += 1;
    }
    std::printf("%s: %zu error(s), %zu warning(s), %zu reference clock(s)\n", config_name.c_str(),
                errors, warnings, config->refclocks.size());
    return errors > 0 ? 1 : 0;
  }
  if (config->has_errors()) {
    std::fprintf(stderr, "%s%s has errors; not starting\n", stderr_prefix(), config_name.c_str());
    return 1;
  }
  if (no_time_source) {
    std::fprintf(stderr,
                 "%s%s declares no reference clock and no network source: serving "
                 "unsynchronised (LI 3, stratum 0) until one is configured; --simulate runs the "
                 "built-in simulated receiver\n",
                 stderr_prefix(), config_name.c_str());
  }
  if (options.simulate && !config->refclocks.empty()) {
    std::fprintf(stderr, "%s--simulate: the configured reference clocks are not used\n",
                 stderr_prefix());
  }
  // GPS week rollover base: `tos basedate`, else the build date (as ntpd). A replayed log keeps
  // its own dates unless a base is configured: only the 1999 rollover is undone.
  const auto base_date = parse_iso_date(
      config->tos_basedate.value_or(options.replay_file ? "1999-08-22" : STRATUMD_BUILD_DATE));
  if (!base_date) {
    std::fprintf(stderr, "%stos basedate '%s' is not a valid date\n", stderr_prefix(),
                 config->tos_basedate->c_str());
    return 1;
  }
  // The system clock is steered only for real receivers, when allowed and permitted: a simulated
  // or replayed receiver must never move the host's time.
  bool steer_system_clock = !options.no_clock_steering && !simulate && !options.replay_file;
  if (!options.no_clock_steering && !steer_system_clock) {
    std::fprintf(stderr,
                 "%snote: a simulated or replayed receiver never steers the system clock; "
                 "serving the in-process virtual clock (as with -x)\n",
                 stderr_prefix());
  }
  if (options.no_clock_steering && !simulate && !options.replay_file) {
    // ntpd's -x means "slew only": an ntpd unit's `-g -x` carried over would silently stop the
    // discipline of the system clock.
    std::fprintf(stderr,
                 "%snote: -x: the system clock is never touched (chronyd's -x); ntpd's -x meant "
                 "slew only, which is `tinker step 0` here\n",
                 stderr_prefix());
  }
  if (steer_system_clock && !SystemClock::can_steer()) {
    std::fprintf(stderr,
                 "%snote: no permission to steer the system clock (CAP_SYS_TIME); serving "
                 "the in-process virtual clock (as with -x)\n",
                 stderr_prefix());
    steer_system_clock = false;
  }

  try {
    // The simulation runs the served clock on a simulated crystal that boots off; real receivers
    // discipline a virtual clock on the hardware counter, starting from the system time.
    const MonotonicRawTimebase hardware_counter;
    const DriftingTimebase simulated_oscillator(hardware_counter, DriftParams{});
    const RealtimeTimebase kernel_time;
    const RawTimebase& timebase = steer_system_clock ? static_cast<const RawTimebase&>(kernel_time)
                                  : simulate ? static_cast<const RawTimebase&>(simulated_oscillator)
                                             : hardware_counter;
    std::unique_ptr<SystemClock> system_clock;
    std::unique_ptr<VirtualClock> virtual_clock;
    if (steer_system_clock) {
      system_clock = std::make_unique<SystemClock>();
    } else {
      virtual_clock = std::make_unique<VirtualClock>(
          timebase, realtime_as_utc() + (simulate ? kSimulatedBootOffset : Nanoseconds{0}));
    }
    Clock& clock = system_clock ? static_cast<Clock&>(*system_clock) : *virtual_clock;
    const std::int8_t precision = precision_from_read_cost(measure_clock_read_cost(clock));

    LogRing log_ring;  // the console's `log`
    std::unique_ptr<Logger> logger;
    try {
      logger = std::make_unique<Logger>(config->logfile, options.foreground, config->log_mask);
    } catch (const std::runtime_error& e) {
      std::fprintf(stderr, "%s%s\n", stderr_prefix(), e.what());
      return 1;
    }
    // One function per ntpd log class: the daemon's own (sys), the reference clocks' (clock) and
    // the discipline's (sync).
    const auto log_as = [&](LogClass c) {
      return [&, c](const std::string& line) {
        logger->log(c, LogKind::events, line);
        log_ring.add(line);
      };
    };
    const std::function<void(const std::string&)> log = log_as(LogClass::sys);
    const std::function<void(const std::string&)> log_clock = log_as(LogClass::clock);
    const std::function<void(const std::string&)> log_sync = log_as(LogClass::sync);
    // Secret keys readable by others are not secret (chrony and OpenSSH say so too).
    if (config->auth.keys_file) {
      struct stat info {};
      if (::stat(config->auth.keys_file->c_str(), &info) == 0 && (info.st_mode & 0077)) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(info.st_mode & 07777));
        log("warning: keys file " + *config->auth.keys_file + " is readable by others (mode " +
            mode + "); chmod 600 it");
      }
    }
    // The drift file gives the loop the crystal's frequency at once (ntpd's format and checks).
    bool frequency_known = false;
    if (config->driftfile) {
      if (const auto text = read_file(*config->driftfile)) {
        const DriftRead drift = parse_drift_file(*text);
        if (drift.ppm) {
          clock.set_frequency(*drift.ppm);
          frequency_known = true;
          std::fprintf(stderr, "%sfrequency %+.3f ppm from %s\n", stderr_prefix(), *drift.ppm,
                       config->driftfile->c_str());
        } else {
          std::fprintf(stderr, "%swarning: %s: %s; ignored, the frequency is learnt afresh\n",
                       stderr_prefix(), config->driftfile->c_str(), drift.problem.c_str());
        }
      }
    }
    // A replayed log is served at its own date, however far from now: that is what it is for.
    const bool allow_first_panic_step =
        options.allow_big_first_step || options.replay_file.has_value();
    ClockDiscipline discipline(clock, loop_settings(*config, allow_first_panic_step),
                               frequency_known, log_sync);
    const auto load_leapfile = [&](const DisciplineSettings& settings) {
      discipline.set_leap_table(
          settings.leapfile ? load_leap_table(*settings.leapfile, clock.now(), log) : std::nullopt);
    };
    load_leapfile(config->discipline);
    std::uint32_t reference_id = make_refid("PPS");
    SeqLock<ClockSnapshot> published;
    // Which source the clock follows: the reference clocks unless they are gone beyond holdover
    // (or contradicted by the network), then the upstream servers' system peer, as with ntpd.
    SystemProcess system({config->sanity_bound, static_cast<std::size_t>(config->min_sane)}, log);
    // Set once the upstream servers exist (they are built after the reference clocks).
    std::unique_ptr<NetworkSources> upstream;
    AssociationInbox association_inbox;  // symmetric and broadcast packets, workers -> loop
    const auto publish = [&] {
      ClockSnapshot snapshot;
      snapshot.model = clock.model();
      snapshot.precision = precision;
      discipline.fill_snapshot(snapshot, reference_id);
      system.announce(snapshot);
      published.store(snapshot);
    };
    publish();

    EventLoop loop(options.io);
    // The kernel's clock ends its slews when told: at the time it names, from the loop.
    const auto schedule_clock_service = [&] {
      loop.cancel_timers(&clock);
      if (const auto due = clock.service_due()) {
        loop.call_after(
            std::max(Nanoseconds{0}, *due - clock.now()), [&] { clock.service(); }, &clock);
      }
    };
    // The upstream associations use the loop: they go before it, whichever way we leave.
    struct ReleaseBeforeLoop {
      std::unique_ptr<NetworkSources>& upstream;
      ~ReleaseBeforeLoop() { upstream.reset(); }
    } release_upstream{upstream};
    std::function<void()> reload_file_hook;  // set once everything it touches exists
    std::unique_ptr<DaemonConsole> console;

    std::optional<SampleKind> sample_kind;
    struct LatestReference {
      double offset = 0.0;  // s, against our clock
      UtcTime at{};
    };
    std::optional<LatestReference> latest_reference;
    std::unique_ptr<ReferenceSources> sources;
    // ntpd's statistics files, written a line a sample (clockstats: a line a sentence).
    StatsRecorder stats(log);
    stats.configure(*config);
    // What ntpq and ntpstat read (mode 6), rendered here and read lock-free by the workers.
    SeqLock<ControlVariables> control_published;
    ReferenceReport reference_report;
    reference_report.poll_log2 = 4;
    reference_report.has_reference_clock =
        !config->refclocks.empty() || simulate || options.replay_file.has_value();
    // ntpq's sysstats and kerninfo: refreshed each second by the tick, once the server runs.
    SystemStatistics control_statistics;
    const auto started = std::chrono::steady_clock::now();
    const auto publish_control = [&] {
      reference_report.pps = sample_kind == SampleKind::pps;
      reference_report.network_steers = system.network_steers();
      reference_report.reference_falseticker = system.reference_falseticker();
      reference_report.upstreams = upstream ? upstream->reports() : std::vector<UpstreamReport>{};
      ControlVariables vars;
      render_control_variables(published.load(), discipline.status(), clock.now(), reference_report,
                               std::string("stratumd ") + STRATUMD_VERSION, vars,
                               control_statistics);
      control_published.store(vars);
    };
    // After a step of the clock the associations' offsets measured the old clock: forgotten.
    std::uint64_t steps_seen = 0;
    const auto note_steps = [&] {
      if (discipline.status().steps == steps_seen) return;
      steps_seen = discipline.status().steps;
      if (upstream) upstream->clock_stepped();
    };
    // Builds the reference clocks a configuration declares; throws std::runtime_error naming the
    // line of a clock that cannot be set up.
    const auto make_sources = [&](const DaemonConfig& c) {
      auto fresh = std::make_unique<ReferenceSources>(
          loop, clock, c, simulate,
          options.replay_file ? std::optional<ReplaySettings>(
                                    ReplaySettings{*options.replay_file, options.replay_speed})
                              : std::nullopt,
          *base_date,
          [&](const ReferenceSample& s) {
            // Kept even when refused: the sanity check judges the reference clock by it.
            latest_reference = LatestReference{to_seconds(s.sample.offset()), clock.now()};
            if (!system.reference_sample()) return;  // the network majority says no
            if (sample_kind != s.kind) {
              if (sample_kind)
                log(s.kind == SampleKind::pps ? "PPS numbers the seconds again"
                                              : "PPS lost: NMEA-only samples");
              sample_kind = s.kind;
            }
            reference_id = s.reference_id;
            discipline.on_sample(
                s.sample, s.kind == SampleKind::pps ? SampleClass::pps : SampleClass::coarse);
            note_steps();
            schedule_clock_service();
            publish();
            ++reference_report.samples;
            reference_report.reach |= 1;
            stats.on_sample(clock.now(), discipline.status(), published.load(),
                            reference_report.source_address);
          },
          log_clock);
      fresh->on_timecode([&](std::string_view timecode) {
        reference_report.last_timecode.assign(timecode);
        stats.on_timecode(clock.now(), reference_report.source_address, timecode);
      });
      return fresh;
    };
    try {
      sources = make_sources(*config);
    } catch (const std::runtime_error& e) {
      std::fprintf(stderr, "%s%s\n", stderr_prefix(), e.what());
      return 1;
    }
    // The learnt NMEA delays live beside the drift file and survive restarts.
    const auto calibration_file = [&]() -> std::optional<std::string> {
      if (!config->driftfile) return std::nullopt;
      return *config->driftfile + ".nmea-delay";
    };
    const auto load_calibration = [&] {
      if (!calibration_file()) return;
      if (const auto text = read_file(*calibration_file())) {
        const int loaded = sources->load_calibration(*text);
        if (loaded)
          log("loaded the learnt NMEA delay from " + *calibration_file() + ": " +
              sources->calibration_status());
      }
    };
    load_calibration();
    const auto write_atomically = [&](const std::string& path, const std::string& text) {
      if (!write_file_atomically(path, text)) log("cannot write " + path);
    };
    // Only a frequency the loop has locked with is worth keeping.
    const auto save_drift = [&] {
      const SyncState state = discipline.status().state;
      if (config->driftfile && (state == SyncState::locked || state == SyncState::holdover)) {
        write_atomically(*config->driftfile, format_drift_file(clock.frequency_ppm()));
      }
    };
    const auto save_calibration = [&] {
      if (!calibration_file()) return;
      const std::string text = sources->serialized_calibration();
      if (!text.empty()) write_atomically(*calibration_file(), text);
    };
    auto next_calibration_save = std::chrono::steady_clock::now() + std::chrono::hours{1};

    // The plain poll mode is for running under a clock-and-network simulator: one thread,
    // recvmsg/sendmsg. Otherwise one batched worker per core unless configured.
    const bool plain_io = options.io == IoBackend::poll;
    const int threads =
        plain_io ? 1
                 : options.threads.value_or(config->threads.value_or(
                       static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))));
    ResolvedHosts resolved_hosts;  // `restrict HOST` names resolved so far
    const auto policy_for = [&](const DaemonConfig& c) {
      return ServerPolicy{build_restrict_table(c.restrictions, resolved_hosts),
                          c.discard.value_or(DiscardParams{}), c.auth};
    };
    RetainedPointer<ServerPolicy> policy{policy_for(*config)};
    const ListenPlan listen_plan =
        plan_listening(config->interface_rules, list_local_addresses(), ipv6_available());
    for (const std::string& note : listen_plan.notes)
      std::fprintf(stderr, "%s%s\n", stderr_prefix(), note.c_str());
    if (listen_plan.endpoints.empty()) return 1;
    reference_report.source_address = sources->source_address();
    reference_report.host_name = sources->host_name();
    reference_report.device = sources->device();
    publish_control();
    InterleavedTimestamps interleaved;
    const WorkerShared shared{published,          timebase,           policy,      !plain_io,
                              &control_published, &association_inbox, &interleaved};
    std::optional<NtpServer> server;
    try {
      server.emplace(ServerSetup{options.port, threads, listen_plan.endpoints}, shared);
    } catch (const BindError& e) {
      std::fprintf(stderr, "%s%s\n", stderr_prefix(), e.what());
      return 1;
    }
    if (!options.foreground && ::daemon(0, 0) != 0) throw_errno("daemon");
    std::optional<PidFile> pidfile;
    if (options.pidfile) pidfile.emplace(*options.pidfile);
    // After the fork, before the workers start (they must not take the signals).
    const SignalWatch signals(loop, [&] {
      logger->reopen();  // logrotate moved the file
      if (reload_file_hook) reload_file_hook();
    });
    if (plain_io) {
      server->serve_in(loop);
    } else {
      server->start();
    }
    std::string listening;
    for (const ListenEndpoint& e : listen_plan.endpoints) {
      listening += (listening.empty() ? "" : ", ") +
                   (e.interface_name.empty()
                        ? std::string(e.address.family == IpFamily::v4 ? "IPv4" : "IPv6")
                        : e.address.to_string() + (e.drop ? " (drop)" : ""));
    }
    std::fprintf(stderr,
                 "%sserving NTP on UDP port %u (%s) with %d %s worker(s); %zu restrict entries; "
                 "config: %s; precision 2^%d s; clock: %s\n",
                 stderr_prefix(), unsigned{options.port}, listening.c_str(), threads,
                 plain_io ? "plain" : "batched", policy.load().restrictions.entry_count(),
                 config_name.c_str(), int{precision},
                 system_clock ? "the system clock (clock_adjtime)" : "in-process virtual clock");
    // `enable kernel`, or ntpd's flag3 on a PPS (or an NMEA clock's PPS): the kernel's PPS loop
    // steers from a bound kernel PPS device, as with ntpd.
    const bool flag3 = std::any_of(
        config->refclocks.begin(), config->refclocks.end(), [](const RefclockDeclaration& r) {
          return r.options.flag(3) && (r.type == refclock_type::pps ||
                                       (r.type == refclock_type::nmea && r.options.flag(1)));
        });
    bool kernel_pps = false;
    if (config->discipline.kernel_discipline || flag3) {
      const std::string why_not =
          system_clock ? sources->bind_kernel_pps() : "stratumd is not steering the system clock";
      if (why_not.empty()) {
        system_clock->set_kernel_pps_discipline(true);
        discipline.set_kernel_pps(true);
        kernel_pps = true;
        log(std::string(flag3 ? "flag3" : "enable kernel") +
            ": the kernel's PPS loop steers the clock");
      } else {
        log(std::string(flag3 ? "flag3" : "enable kernel") + ": " + why_not +
            "; stratumd's PPS servo steers instead");
      }
    }
    sources->start();
    log("reference: " + sources->describe());
    if (!server->kernel_receive_stamps()) {
      log("warning: this kernel does not stamp arrivals (SO_TIMESTAMPNS refused): requests are "
          "stamped when read, later by the time they waited in the socket");
    }

    // Upstream servers and the system process over them (RFC 5905 selection), with the sanity
    // check of the reference clock against the network majority.
    NetworkSources::Hooks upstream_hooks;
    upstream_hooks.reference = [&] {
      constexpr std::chrono::seconds kRecent{120};
      const SyncState state = discipline.status().state;
      ReferenceClockState reference;
      reference.serving = reference_report.has_reference_clock &&
                          (state == SyncState::locked || state == SyncState::holdover);
      reference.root_distance = to_seconds(published.load().root_dispersion_at(clock.now()));
      if (latest_reference && clock.now() - latest_reference->at <= kRecent)
        reference.recent_offset = latest_reference->offset;
      return reference;
    };
    upstream_hooks.steer = [&](double offset) {
      const UtcTime now = clock.now();
      discipline.on_sample({now, now + from_seconds(offset), LeapIndicator::none},
                           SampleClass::network);
      note_steps();
      schedule_clock_service();
      publish();
    };
    upstream_hooks.log = log;
    upstream_hooks.keys = [&]() -> const AuthSettings& { return policy.load().auth; };
    upstream_hooks.snapshot = [&] { return published.load(); };
    upstream_hooks.send_from_port = [&](const SocketAddress& to,
                                        std::span<const std::uint8_t> bytes) {
      return server->send_from_server_port(to, bytes);
    };
    upstream_hooks.join_multicast = [&](const IpAddress& group) {
      return server->join_multicast(group);
    };
    upstream_hooks.set_multicast_ttl = [&](int ttl) { server->set_multicast_ttl(ttl); };
    upstream_hooks.local_addresses = [] {
      std::vector<IpAddress> addresses;
      for (const LocalAddress& a : list_local_addresses()) addresses.push_back(a.address);
      return addresses;
    };
    upstream = std::make_unique<NetworkSources>(loop, clock, *config, precision, association_inbox,
                                                system, upstream_hooks);
    // A PPS without a receiver is numbered by the clock while the network's majority agrees with
    // it to within 0.1 s: far inside the half second that would name the wrong second.
    const auto pps_clock_trusted = [&] {
      const std::optional<double> offset = system.majority_offset();
      return offset && std::abs(*offset) < 0.1 && published.load().synchronised();
    };
    sources->number_pps_by_clock(pps_clock_trusted);

    // `restrict HOST` lines apply as their names resolve, in the background with retries.
    std::unique_ptr<HostResolver> resolver;
    const auto start_resolving = [&] {
      std::vector<std::string> names;
      for (const RestrictLine& line : config->restrictions) {
        if (!line.host_name.empty() && !resolved_hosts.count(line.host_name)) {
          names.push_back(line.host_name);
        }
      }
      resolver.reset();
      if (names.empty()) return;
      resolver = std::make_unique<HostResolver>(
          loop, names,
          [&](const std::string& name, const std::vector<IpAddress>& addresses) {
            std::string list;
            for (const IpAddress& a : addresses) list += (list.empty() ? "" : ", ") + a.to_string();
            log("restrict " + name + ": resolved to " + list);
            resolved_hosts[name] = addresses;
            policy.publish(policy_for(*config));
          },
          log);
    };
    start_resolving();

    // A reload (SIGHUP, the console's apply): everything or nothing. A configuration with errors,
    // or reference clocks that cannot be set up, leave the running one untouched.
    const auto reload = [&](const DaemonConfig& next) -> std::pair<bool, std::string> {
      if (next.has_errors()) {
        std::size_t errors = 0;
        for (const ConfigFinding& f : next.findings) errors += f.severity == Severity::error;
        return {false,
                std::to_string(errors) + " error(s); still running the previous configuration"};
      }
      const ReloadPlan plan = plan_reload(*config, next);
      std::unique_ptr<ReferenceSources> fresh;
      if (plan.reference_clocks_changed && !simulate && !options.replay_file) {
        try {
          fresh = make_sources(next);
        } catch (const std::runtime_error& e) {
          return {false, std::string(e.what()) + "; still running the previous configuration"};
        }
      }
      std::string summary = "applied";
      if (fresh) {
        save_calibration();
        sources = std::move(fresh);
        sources->number_pps_by_clock(pps_clock_trusted);
        reference_report.source_address = sources->source_address();
        reference_report.host_name = sources->host_name();
        reference_report.device = sources->device();
        sources->start();
        summary += "; reference clocks rebuilt: " + sources->describe();
      } else if (plan.reference_clocks_changed) {
        summary += std::string("; reference clock lines not used: ") +
                   (simulate ? "--simulate" : "--replay") + " supplies the reference clock";
      } else {
        summary += "; reference clocks unchanged (their state kept)";
      }
      policy.publish(policy_for(next));
      discipline.set_config(loop_settings(next, allow_first_panic_step));
      logger->set_mask(next.log_mask);
      load_leapfile(next.discipline);
      stats.configure(next);
      *config = next;
      start_resolving();
      load_calibration();
      for (const std::string& part : plan.needs_restart) {
        summary += "; " + part + " changed: takes effect at the next restart";
      }
      return {true, summary};
    };
    const auto reload_file = [&] {
      if (!config_file) {
        log("SIGHUP: running the built-in default; there is no file to reload");
        return;
      }
      DaemonConfig next = parse_config_with_board(*config_file, read_file);
      for (const ConfigFinding& f : next.findings) log(f.format());
      const auto [applied, summary] = reload(next);
      log("reload of " + *config_file + (applied ? ": " : " refused: ") + summary);
      if (applied && console) console->set_running_text(read_file(*config_file).value_or(""));
    };

    reload_file_hook = reload_file;

    // Prometheus metrics (HTTP via civetweb and/or a node_exporter textfile).
    std::unique_ptr<MetricsExporter> metrics;
    if (!config->metrics_listen.empty() || !config->metrics_textfile.empty()) {
      try {
        metrics =
            std::make_unique<MetricsExporter>(config->metrics_listen, config->metrics_textfile);
        log("metrics:" +
            (config->metrics_listen.empty() ? ""
                                            : " http://" + config->metrics_listen + "/metrics") +
            (config->metrics_textfile.empty() ? "" : " textfile " + config->metrics_textfile));
      } catch (const std::runtime_error& e) {
        log(std::string("warning: ") + e.what());
      }
    }
    const auto publish_metrics = [&](const ServerCounters& served, bool write_textfile) {
      if (!metrics) return;
      MetricsInput in;
      in.version = STRATUMD_VERSION;
      in.snapshot = published.load();
      in.loop = discipline.status();
      in.now = clock.now();
      in.pps_present = sample_kind == SampleKind::pps;
      in.reference_samples = reference_report.samples;
      in.nmea_labels = sources->nmea_labels();
      in.satellites = sources->satellites_used();
      in.requests_received = served.received;
      in.requests_by_outcome = served.by_outcome;
      in.interleaved_replies = served.interleaved;
      in.transmit_stamps = served.transmit_stamps;
      in.sources = reference_report;
      const std::string problem = metrics->publish(render_metrics(in), write_textfile);
      if (!problem.empty()) log(problem);
    };

    // The console (stratumctl) on its Unix socket, checked against a loopback probe of our own
    // server when it applies a configuration.
    std::unique_ptr<SelfProbe> self_probe;
    const bool loopback_served = std::any_of(
        listen_plan.endpoints.begin(), listen_plan.endpoints.end(), [](const ListenEndpoint& e) {
          return e.address.family == IpFamily::v4 && !e.drop &&
                 (e.interface_name.empty() || e.address.to_string() == "127.0.0.1");
        });
    if (loopback_served) self_probe = std::make_unique<SelfProbe>(loop, options.port);
    std::unique_ptr<ConsoleServer> console_server;
    if (!options.console_socket.empty()) {
      DaemonConsoleHooks hooks;
      hooks.status = [&] {
        std::string text = console_status(published.load(), discipline.status(), server->counters(),
                                          reference_report, sources->satellites_used(),
                                          system_clock != nullptr, clock.now());
        if (!config->board_summary.empty()) text += "board:      " + config->board_summary + "\n";
        return text;
      };
      hooks.sources = [&] {
        return console_sources(*sources, reference_report, sample_kind == SampleKind::pps);
      };
      hooks.synchronised = [&] { return published.load().synchronised(); };
      hooks.reload = reload;
      hooks.log = log;
      hooks.reference_override = simulate ? "--simulate" : options.replay_file ? "--replay" : "";
      console = std::make_unique<DaemonConsole>(
          loop, config_file, config_file ? read_file(*config_file).value_or("") : std::string(),
          log_ring, self_probe.get(), hooks);
      console_server = open_console_socket(loop, options.console_socket, *console, log);
    }

    // Everything that needs root is open: the port, the devices, the console socket.
    const bool steering = system_clock != nullptr;
    const char* kept = steering ? ", keeping only CAP_SYS_TIME" : ", with no capabilities";
    if (options.run_as) {
      const Account account = find_account(*parse_run_as(*options.run_as));
      logger->hand_over(account.uid, account.gid);
      drop_privileges(account, steering);
      log("running as " + *options.run_as + kept);
      // What root could write, the account may not: say so now, not at the first drift save.
      for (const HostFinding& f : host_findings(*config, config_name, false)) {
        if (std::none_of(on_this_host.begin(), on_this_host.end(),
                         [&](const HostFinding& before) { return before.text == f.text; })) {
          log("as " + *options.run_as + ": " + f.text);
        }
      }
    } else if (drop_capabilities(steering)) {
      log(std::string("started with capabilities as an ordinary account") + kept);
    }
    if (options.syscall_filter != SyscallFilterLevel::off) {
      install_syscall_filter(options.syscall_filter);
      log("system call filter on (-F 1)");
    }

    // A line a second is for a terminal or a test's log, not for the journal of an SD card.
    const bool status_line = !options.quiet_status && !Logger::is_journal(STDOUT_FILENO);
    int ticks = 0;
    std::function<void()> tick = [&] {
      discipline.on_tick(clock.now());
      schedule_clock_service();  // also after a timer that ran early: the slew still ends
      publish();
      if (system_clock) {
        const ClockSnapshot snapshot = published.load();
        const UtcTime now = clock.now();
        system_clock->report_synchronisation(snapshot.synchronised(), discipline.status().jitter,
                                             snapshot.root_dispersion_at(now));
      }
      // The reach register shifts once a poll interval (16 s), as ntpd's does.
      if (++ticks % (1 << reference_report.poll_log2) == 0) {
        reference_report.reach = static_cast<std::uint8_t>(reference_report.reach << 1);
      }
      // The workers' counters, summed once for everything that shows them this second.
      const ServerCounters served = server->counters();
      control_statistics =
          collect_system_statistics(served, std::chrono::steady_clock::now() - started);
      control_statistics.monitor = server->monitor_statistics(NtpTimestamp::from_utc(clock.now()));
      publish_control();
      publish_metrics(served, ticks % 15 == 1);
      if (status_line)
        print_status_line(discipline.status(), served, sources->calibration_status());
      // A removed console socket (a cleanup of /run, an operator's rm) is made again.
      if (console_server && ticks % 5 == 0 && !console_server->still_there()) {
        console_server.reset();
        console_server = open_console_socket(loop, options.console_socket, *console, log);
        if (console_server) log("the console socket had gone: made again");
      }
      if (std::chrono::steady_clock::now() >= next_calibration_save) {
        save_drift();
        save_calibration();
        next_calibration_save += std::chrono::hours{1};
      }
      loop.call_after(std::chrono::seconds{1}, tick);
    };
    loop.call_after(std::chrono::seconds{1}, tick);

    notify_service_manager("READY=1");  // systemd's Type=notify: serving from here on
    loop.run();
    notify_service_manager("STOPPING=1");
    if (kernel_pps) system_clock->set_kernel_pps_discipline(false);
    save_drift();
    save_calibration();
    server->stop();
    const ServerCounters served = server->counters();
    std::fprintf(stderr, "%sstopping; %" PRIu64 " requests, %" PRIu64 " answered\n",
                 stderr_prefix(), served.received, served.answered());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s%s\n", stderr_prefix(), e.what());
    return 1;
  }
}

}  // namespace stratumd
