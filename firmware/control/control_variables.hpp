// Renders what ntpq and ntpstat read, with ntpd's variable names, units and formats: system
// variables (rv), one association per reference clock (ntpq -p) and its clock variables (cv).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "firmware/clock/clock_snapshot.hpp"
#include "firmware/control/mode6.hpp"
#include "firmware/discipline/clock_discipline.hpp"
#include "firmware/ntp/packet_mac.hpp"

namespace stratumd {

// An upstream server association as ntpq shows it.
struct UpstreamReport {
  std::string address;
  int host_mode = 3;  // ntpq's hmode: 3 client, 1/2 symmetric active/passive, 6 broadcast client
  int stratum = 16;
  std::uint32_t reference_id = 0;
  std::uint8_t reach = 0;
  int poll_log2 = 6;
  int peer_poll_log2 = 6;
  std::uint32_t key_id = 0;
  std::uint16_t flash = 0;  // ntpd's flash bits of the last refused packet
  std::uint64_t sent = 0, received = 0;
  std::uint64_t refused_duplicate = 0, refused_bogus = 0, refused_auth = 0, refused_other = 0;
  double offset = 0.0, delay = 0.0, dispersion = 0.0, jitter = 0.0;  // s
  UtcTime last_sample{};    // the filter's chosen sample (ntpq's reftime)
  UtcTime last_received{};  // the newest sample (ntpq's rec, from which it shows "when")
  int selection = 0;  // peer status selection code: 0 reject, 1 falseticker, 4 candidate, 6 peer
  std::uint16_t association_id = 0;  // ntpq's; 0: numbered by position
};

// What the main loop knows of the reference clock it follows.
struct ReferenceReport {
  bool has_reference_clock = true;
  bool reference_falseticker = false;  // contradicted by the network majority
  bool network_steers = false;         // the upstream servers steer the clock now
  std::vector<UpstreamReport> upstreams;
  std::string source_address = "127.127.20.0";  // ntpd's pseudo-address
  std::string host_name = "GPS_NMEA(0)";        // NTPsec's srchost
  std::string device;
  std::uint8_t reach = 0;  // one bit per poll, newest lowest
  int poll_log2 = 4;
  bool pps = false;  // the samples come from PPS edges (tally 'o')
  std::uint64_t samples = 0;
  std::string last_timecode;
  double fudge_time1 = 0.0;
  double fudge_time2 = 0.0;
};

// The server's counters and the kernel's clock loop, for ntpq's sysstats, sysinfo and kerninfo
// (the named-only system variables).
struct KernelLoopState {
  double offset_ms = 0, frequency_ppm = 0, max_error_ms = 0, estimated_error_ms = 0;
  std::string status_flags;        // "pll nano …", as ntpd spells them
  std::int64_t time_constant = 0;  // struct timex's longs: 64-bit with 64-bit time on 32-bit ARM
  double precision_ms = 0, tolerance_ppm = 0;
  double pps_frequency_ppm = 0, pps_stability_ppm = 0, pps_jitter_ms = 0;
  std::int64_t pps_calibration_interval = 0, pps_calibrations = 0, pps_jitter_exceeded = 0,
               pps_stability_exceeded = 0, pps_calibration_errors = 0;
};

// ntpq's monstats: the server's client monitor (the MRU list), all workers together.
struct MonitorStatistics {
  std::uint64_t slots = 0, slots_in_use = 0, sets = 0, slot_bytes = 0;
  std::uint64_t existing = 0, fresh = 0, recycled = 0;
  std::optional<Nanoseconds> oldest_age;  // since the least recently heard client; none: empty
};

struct SystemStatistics {
  Nanoseconds uptime{0};
  std::uint64_t control_requests = 0;
  std::uint64_t received = 0, current_version = 0, older_version = 0;
  std::uint64_t version1 = 0, version1_client = 0, version1_zero = 0, version1_symmetric = 0;
  std::uint64_t bad_version = 0;  // of bad_format: a version this server does not answer
  std::uint64_t bad_format = 0, bad_auth = 0, declined = 0, restricted = 0, limited = 0;
  std::uint64_t kod_sent = 0, processed = 0;
  std::uint64_t sent = 0, send_failures = 0, ignored = 0;  // ntpq iostats
  std::uint64_t wakeups = 0, useful_wakeups = 0, kernel_drops = 0, receive_buffers = 0;
  MacCounters mac;                   // ntpq authinfo: the server's and the associations' MACs
  std::uint64_t keys = 0;            // symmetric keys loaded
  std::uint64_t timer_overruns = 0;  // ntpq timerstats: seconds the main loop's tick came late
  std::uint64_t transmissions = 0;   // packets the associations sent
  MonitorStatistics monitor;
  std::optional<KernelLoopState> kernel;  // nullopt: the kernel's state could not be read
  std::string processor = "unknown";      // uname's machine, as ntpd's `processor`
};

// The system status word's clock source: 1 PPS, 4 "UHF radio" (GPS/NMEA), 0 unspecified.
std::uint16_t system_status_word(const ClockSnapshot& snapshot, bool pps, int event_count,
                                 int last_event);
// The peer status word: configured, reachable, and the selection (0 reject, 6 system peer, 7 PPS).
// `keyed`: the association authenticates (ntpq's auth column: "ok" once `authentic`, else "bad").
std::uint16_t peer_status_word(bool reachable, int selection, bool keyed = false,
                               bool authentic = false);

void render_control_variables(const ClockSnapshot& snapshot, const LoopStatus& loop, UtcTime now,
                              const ReferenceReport& reference, const std::string& version,
                              ControlVariables& out, const SystemStatistics& stats = {});

// The association entries render_control_variables builds.
void render_reference_clock(const ClockSnapshot& snapshot, const LoopStatus& loop, UtcTime now,
                            const ReferenceReport& reference, ControlVariables& out);
void render_upstream(const UpstreamReport& upstream, UtcTime now, std::size_t index,
                     ControlVariables& out);

// "0xe5a3b2c1.12345678", ntpd's l_fp hex form.
std::string ntp_hex_timestamp(UtcTime t);

}  // namespace stratumd
