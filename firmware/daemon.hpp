// The daemon's life: the configuration read and planned, then the parts built in the order the
// data flows (the served clock, the discipline, the system process, the reference clocks, the
// server, the network associations, the console), the main loop run, and everything saved and
// closed in reverse. The members are declared in that order, so C++ destroys them in reverse and
// nothing outlives what it refers to.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "drivers/clock/kernel_clocks.hpp"
#include "drivers/clock/system_clock.hpp"
#include "drivers/clock/virtual_clock.hpp"
#include "drivers/console/console_server.hpp"
#include "drivers/net/association_inbox.hpp"
#include "drivers/net/host_resolver.hpp"
#include "drivers/net/ntp_server.hpp"
#include "drivers/net/self_probe.hpp"
#include "drivers/os/event_loop.hpp"
#include "drivers/os/logger.hpp"
#include "drivers/os/metrics_exporter.hpp"
#include "drivers/os/service_manager.hpp"
#include "drivers/os/signal_watch.hpp"
#include "drivers/os/status_led.hpp"
#include "drivers/sim/drifting_timebase.hpp"
#include "firmware/command_line.hpp"
#include "firmware/config/server_plan.hpp"
#include "firmware/control/control_variables.hpp"
#include "firmware/daemon_console.hpp"
#include "firmware/discipline/clock_discipline.hpp"
#include "firmware/host_checks.hpp"
#include "firmware/network_sources.hpp"
#include "firmware/ntp/system_process.hpp"
#include "firmware/reference_sources.hpp"
#include "firmware/reference_watch.hpp"
#include "firmware/start_plan.hpp"
#include "firmware/stats_recorder.hpp"
#include "firmware/system_statistics.hpp"
#include "firmware/util/seqlock.hpp"

namespace stratumd {

// Reads the configuration, answers --check-config, else starts the daemon and runs it until
// SIGTERM/SIGINT. The process's exit status.
int run_daemon(const Options& options);

// What start-up knows before the daemon is built.
struct DaemonSetup {
  std::optional<std::string> config_file;  // none: the built-in default
  std::string config_name;
  DaemonConfig config;
  StartPlan plan;
  std::chrono::sys_days base_date;
  std::vector<HostFinding> host_findings;  // as root, before anything opened
};

class Daemon {
 public:
  // Opens everything and starts serving; throws std::runtime_error (naming what failed) when the
  // daemon cannot start.
  Daemon(const Options& options, DaemonSetup setup);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // The main loop, until SIGTERM/SIGINT; then the drift and calibration saved. Exit status.
  int run();

 private:
  using Log = std::function<void(const std::string&)>;

  // Start-up, in order.
  Clock& open_clock();
  bool load_drift();
  void warn_about_keys_file();
  std::unique_ptr<ReferenceSources> make_reference_sources(const DaemonConfig& config);
  void open_server();
  void start_serving();
  void bind_kernel_pps();
  void start_network();
  NetworkSources::Hooks network_hooks();
  void open_metrics();
  void open_console();
  DaemonConsoleHooks console_hooks();
  void open_status_led();
  void drop_privileges();

  // What both start-up and a reload put in force from a configuration.
  void apply(const DaemonConfig& config);
  std::pair<bool, std::string> reload(const DaemonConfig& next);
  void reload_file();

  // The data path.
  void on_reference_sample(const ReferenceSample& sample);
  void on_network_offset(const NetworkSteer& steer);
  // Whether a reference clock sample must wait for the network at start.
  bool network_awaited() const;
  void after_clock_update();
  ReferenceClockState reference_state() const;
  void schedule_clock_service();
  void publish();
  void publish_control();
  void publish_metrics(const ServerCounters& served, bool write_textfile);
  void tick();
  void add_loop_statistics(SystemStatistics& stats);
  void follow_source_addresses();
  void keep_console_socket();
  // systemd's watchdog: "WATCHDOG=1" every half interval while the server's threads go round.
  void keep_alive(std::chrono::microseconds interval);
  void show_status_led();

  // Persistent state.
  std::optional<std::string> calibration_file() const;
  void load_calibration();
  void save_calibration();
  void save_drift();
  std::optional<UtcTime> load_last_known_time() const;
  std::optional<std::string> last_known_time_file() const;
  bool clock_known_good() const;
  void write_atomically(const std::string& path, const std::string& text);
  void start_resolving();
  ServerPolicy policy_for(const DaemonConfig& config) const;

  const Options& options_;
  const std::optional<std::string> config_file_;
  const std::string config_name_;
  DaemonConfig config_;
  const StartPlan plan_;
  const std::chrono::sys_days base_date_;
  const std::vector<HostFinding> host_findings_;

  // The served clock: the system clock when steered, else a virtual clock on the hardware
  // counter (or, simulated, on a crystal that boots off).
  const MonotonicRawTimebase hardware_counter_;
  const DriftingTimebase simulated_oscillator_;
  const RealtimeTimebase kernel_time_;
  const RawTimebase& timebase_;
  std::unique_ptr<SystemClock> system_clock_;
  std::unique_ptr<VirtualClock> virtual_clock_;
  Clock& clock_;
  const std::int8_t precision_;

  // One function per ntpd log class: the daemon's own (sys), the reference clocks' (clock) and
  // the discipline's (sync); each line also kept for the console's `log`.
  LogRing log_ring_;
  std::unique_ptr<Logger> logger_;
  const Log log_;
  const Log log_clock_;
  const Log log_sync_;

  ClockDiscipline discipline_;
  SystemProcess system_;  // who steers: the reference clocks or the network
  std::uint32_t reference_id_;
  SeqLock<ClockSnapshot> published_;  // what the workers serve

  EventLoop loop_;
  AssociationInbox association_inbox_;  // symmetric and broadcast packets, workers -> loop
  StatsRecorder stats_;                 // ntpd's statistics files
  // What ntpq and ntpstat read (mode 6), rendered here and read lock-free by the workers.
  SeqLock<ControlVariables> control_published_;
  ReferenceReport reference_report_;
  SystemStatistics control_statistics_;  // ntpq's sysstats, refreshed by the tick
  const std::chrono::steady_clock::time_point started_;
  std::uint64_t steps_seen_ = 0;
  std::optional<SampleKind> sample_kind_;
  // Every sample, kept even when refused: the sanity check judges the reference clock by it.
  ReferenceWatch reference_watch_;
  std::optional<UtcTime> last_known_time_;  // saved beside the drift file
  std::unique_ptr<ReferenceSources> sources_;

  ResolvedHosts resolved_hosts_;             // `restrict HOST` names resolved so far
  std::vector<IpAddress> source_addresses_;  // the associations' addresses (`restrict source`)
  RetainedPointer<ServerPolicy> policy_;
  ListenPlan listen_plan_;
  InterleavedTimestamps interleaved_;
  std::optional<WorkerShared> worker_shared_;
  std::optional<NtpServer> server_;
  std::optional<PidFile> pidfile_;
  std::optional<SignalWatch> signals_;
  bool kernel_pps_ = false;
  bool said_worker_stuck_ = false;
  bool drift_saved_locked_ = false;  // the drift file was written since the discipline locked
  std::unique_ptr<NetworkSources> network_;
  std::unique_ptr<HostResolver> resolver_;
  std::unique_ptr<MetricsExporter> metrics_;
  std::unique_ptr<SelfProbe> self_probe_;
  std::unique_ptr<DaemonConsole> console_;
  std::unique_ptr<ConsoleServer> console_server_;
  std::unique_ptr<StatusLed> status_led_;

  const bool status_line_;
  int ticks_ = 0;
  std::chrono::steady_clock::time_point last_tick_{};
  std::uint64_t timer_overruns_ = 0;
  std::chrono::steady_clock::time_point next_calibration_save_;
};

}  // namespace stratumd
