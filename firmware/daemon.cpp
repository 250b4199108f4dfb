#include "firmware/daemon.hpp"

#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>
#include <thread>

#include "drivers/clock/clock_precision.hpp"
#include "drivers/clock/kernel_clocks.hpp"
#include "drivers/clock/virtual_clock.hpp"
#include "drivers/net/local_addresses.hpp"
#include "drivers/net/ntp_server.hpp"
#include "drivers/os/event_loop.hpp"
#include "drivers/sim/drifting_timebase.hpp"
#include "drivers/sim/sim_gps_receiver.hpp"
#include "firmware/config/ntp_conf_parser.hpp"
#include "firmware/config/server_plan.hpp"
#include "firmware/discipline/simple_pps_loop.hpp"
#include "firmware/util/seqlock.hpp"
#include "refclock/pps_labeler.hpp"

namespace stratumd {
namespace {

// The simulated board boots with its clock this far off, so the simulation shows the first step.
constexpr std::chrono::milliseconds kSimulatedBootOffset{300};

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

UtcTime realtime_as_utc() {
  return UtcTime{kernel_realtime_now().time_since_epoch()};
}

std::string format_seconds_signed(Nanoseconds d) {
  char text[32];
  const double us = static_cast<double>(d.count()) / 1e3;
  if (us > -1000.0 && us < 1000.0) {
    std::snprintf(text, sizeof text, "%+.2fus", us);
  } else {
    std::snprintf(text, sizeof text, "%+.6fs", us / 1e6);
  }
  return text;
}

void print_status(const LoopStatus& loop, const ServerCounters& served) {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &utc);
  std::printf("%s state=%s offset=%s freq=%+.3fppm jitter=%s requests=%" PRIu64 " answered=%" PRIu64
              " kod=%" PRIu64 " dropped=%" PRIu64 " restricted=%" PRIu64 " limited=%" PRIu64 "\n",
              when, to_string(loop.state), format_seconds_signed(loop.last_offset).c_str(),
              loop.frequency_ppm, format_seconds_signed(loop.jitter).c_str() + 1, served.received,
              served.answered(), served.outcome(RequestOutcome::kod_sent), served.dropped(),
              served.outcome(RequestOutcome::dropped_restricted),
              served.outcome(RequestOutcome::dropped_rate_limited));
  std::fflush(stdout);
}

// Loads and reports the configuration. Returns nullopt when the daemon must not start.
std::optional<DaemonConfig> load_config(const Options& options) {
  DaemonConfig config;
  if (!options.config_file) return config;
  config = parse_ntp_conf(*options.config_file, read_file);
  for (const ConfigFinding& finding : config.findings) {
    std::fprintf(stderr, "%s\n", finding.format().c_str());
  }
  return config;
}

// Signals are taken through a descriptor in the event loop, so they are blocked in every thread.
UniqueFd block_and_open_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  if (::pthread_sigmask(SIG_BLOCK, &signals, nullptr) != 0) throw_errno("pthread_sigmask");
  UniqueFd fd{::signalfd(-1, &signals, SFD_CLOEXEC | SFD_NONBLOCK)};
  if (!fd.valid()) throw_errno("signalfd");
  return fd;
}

}  // namespace

int run_daemon(const Options& options) {
  const std::optional<DaemonConfig> config = load_config(options);
  const std::string config_name = options.config_file.value_or("built-in default");
  if (options.check_config) {
    std::size_t errors = 0;
    for (const ConfigFinding& f : config->findings) errors += f.severity == Severity::error;
    std::printf("%s: %zu error(s), %zu warning(s), %zu reference clock(s)\n", config_name.c_str(),
                errors, config->findings.size() - errors, config->refclocks.size());
    return config->has_errors() ? 1 : 0;
  }
  if (config->has_errors()) {
    std::fprintf(stderr, "stratumd: %s has errors; not starting\n", config_name.c_str());
    return 1;
  }
  const bool simulate = options.simulate || config->refclocks.empty();
  if (!simulate) {
    const RefclockDeclaration& first = config->refclocks.front();
    std::fprintf(stderr,
                 "stratumd: %s:%d: reference clock type %d has no driver in this build yet; "
                 "start with --simulate to serve the simulated receiver\n",
                 first.where.file.c_str(), first.where.line, first.type);
    return 1;
  }
  if (!options.no_clock_steering) {
    std::fprintf(stderr,
                 "stratumd: note: steering the system clock is not implemented yet; serving the "
                 "in-process virtual clock (as with -x)\n");
  }

  try {
    UniqueFd signal_fd = block_and_open_signals();

    const MonotonicRawTimebase hardware_counter;
    const DriftingTimebase simulated_oscillator(hardware_counter, DriftParams{});
    const RawTimebase& timebase = simulated_oscillator;
    VirtualClock clock(timebase, realtime_as_utc() + kSimulatedBootOffset);
    const std::int8_t precision = precision_from_read_cost(measure_clock_read_cost(clock));

    SimplePpsLoop discipline(clock);
    SeqLock<ClockSnapshot> published;
    const auto publish = [&] {
      ClockSnapshot snapshot;
      snapshot.model = clock.model();
      snapshot.precision = precision;
      discipline.fill_snapshot(snapshot, make_refid("PPS"));
      published.store(snapshot);
    };
    publish();

    // The plain poll mode is for running under a clock-and-network simulator: one thread,
    // recvmsg/sendmsg. Otherwise one batched worker per core unless configured.
    const bool plain_io = options.io == IoBackend::poll;
    const int threads =
        plain_io ? 1
                 : options.threads.value_or(config->threads.value_or(
                       static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))));
    const RestrictTable restrictions = build_restrict_table(config->restrictions);
    const ListenPlan listen_plan =
        plan_listening(config->interface_rules, list_local_addresses(), ipv6_available());
    for (const std::string& note : listen_plan.notes)
      std::fprintf(stderr, "stratumd: %s\n", note.c_str());
    if (listen_plan.endpoints.empty()) return 1;
    const WorkerShared shared{published, timebase, restrictions,
                              config->discard.value_or(DiscardParams{}), !plain_io};
    std::optional<NtpServer> server;
    try {
      server.emplace(ServerSetup{options.port, threads, listen_plan.endpoints}, shared);
    } catch (const BindError& e) {
      std::fprintf(stderr, "stratumd: %s\n", e.what());
      return 1;
    }
    if (!options.foreground && ::daemon(0, 0) != 0) throw_errno("daemon");
    server->start();
    std::string listening;
    for (const ListenEndpoint& e : listen_plan.endpoints) {
      listening += (listening.empty() ? "" : ", ") +
                   (e.interface_name.empty()
                        ? std::string(e.address.family == IpFamily::v4 ? "IPv4" : "IPv6")
                        : e.address.to_string() + (e.drop ? " (drop)" : ""));
    }
    std::fprintf(
        stderr,
        "stratumd: serving NTP on UDP port %u (%s) with %d %s worker(s) from the simulated "
        "GPS+PPS receiver; %zu restrict entries; config: %s; precision 2^%d s\n",
        unsigned{options.port}, listening.c_str(), threads, plain_io ? "plain" : "batched",
        restrictions.entry_count(), config_name.c_str(), int{precision});

    EventLoop loop(options.io);
    loop.watch_readable(signal_fd.get(), [&] {
      signalfd_siginfo info{};
      while (::read(signal_fd.get(), &info, sizeof info) == sizeof info) {
        if (info.ssi_signo == SIGHUP) {
          std::fprintf(stderr, "stratumd: SIGHUP: configuration reload is not implemented yet\n");
        } else {
          loop.stop();
        }
      }
    });

    PpsLabeler labeler;
    SimGpsReceiver receiver(
        loop, clock, SimReceiverParams{}, [&](const PpsEdge& edge) { labeler.on_edge(edge); },
        [&](const TimeLabel& label) {
          if (const auto sample = labeler.on_label(label)) {
            discipline.on_sample(*sample);
            publish();
          }
        });
    receiver.start();

    std::function<void()> tick = [&] {
      discipline.on_tick(clock.now());
      publish();
      if (!options.quiet_status) print_status(discipline.status(), server->counters());
      loop.call_after(std::chrono::seconds{1}, tick);
    };
    loop.call_after(std::chrono::seconds{1}, tick);

    loop.run();
    server->stop();
    const ServerCounters served = server->counters();
    std::fprintf(stderr, "stratumd: stopping; %" PRIu64 " requests, %" PRIu64 " answered\n",
                 served.received, served.answered());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "stratumd: %s\n", e.what());
    return 1;
  }
}

}  // namespace stratumd
