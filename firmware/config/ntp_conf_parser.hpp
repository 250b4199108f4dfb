// ntp.conf in ntpd's grammar, parsed without touching the file system: files are read through a
// callback, so the parser is tested with in-memory files and never blocks on I/O or DNS.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "firmware/config/association_config.hpp"
#include "firmware/config/config_lines.hpp"
#include "firmware/config/discipline_config.hpp"
#include "firmware/config/keys_config.hpp"
#include "firmware/config/log_config.hpp"
#include "firmware/config/refclock_config.hpp"
#include "firmware/net/ip_address.hpp"
#include "firmware/ntp/rate_limiter.hpp"

namespace stratumd {

// `metrics listen ADDRESS` without a port. Prometheus's list of exporter ports (9100-9999) is
// full, and 9123, the figure once documented here, is chrony_exporter's; new exporters take
// ports above 10000. 10123 for NTP's 123.
inline constexpr int kMetricsPort = 10123;

enum class Severity { warning, error };

struct SourceLocation {
  std::string file;
  int line = 0;
};

struct ConfigFinding {
  Severity severity = Severity::error;
  SourceLocation where;
  std::string message;

  // "file:line: error: message", the form editors and operators expect.
  std::string format() const;
};

struct RefclockDeclaration {
  int type = 0;  // ntpd driver number: 20 NMEA, 22 PPS, 28 SHM, 46 GPSD JSON (refclock_config.hpp)
  int unit = 0;
  SourceLocation where;
  RefclockOptions options;
};

// One `restrict` line. No prefix and no host name means `default`; `family` limits it to -4 or -6.
struct RestrictLine {
  std::optional<IpPrefix> prefix;
  std::optional<IpFamily> family;
  std::uint32_t flags = 0;
  SourceLocation where;
  std::string host_name;  // `restrict HOST …`: resolved at run time, never at parse time
  // `restrict source …`: the flags for the address of every server, pool member and peer, as
  // the associations come and go (ntpd's), unless a line names that address itself.
  bool source = false;
};

// One `interface` (or `nic`) line: which local addresses get server sockets.
struct InterfaceRule {
  enum class Action { listen, ignore, drop };
  enum class Match { all, ipv4, ipv6, wildcard, name, prefix };
  Action action = Action::listen;
  Match match = Match::all;
  std::string name;  // interface name, for Match::name
  IpPrefix prefix;   // for Match::prefix
  SourceLocation where;
};

// One statistics file set: `statistics NAME` or `filegen NAME [file F] [type T] [link|nolink]
// [enable|disable]`.
struct StatsFileConfig {
  std::string file;          // base name inside statsdir; defaults to the statistics name
  std::string type = "day";  // none day week month year
  bool link = true;          // keep NAME pointing at the current generation, as ntpd
  bool enabled = false;
};

// `snmp agentx [SOCKET] [heartbeat SECONDS]`: read by stratumd-snmp, the NTPv4-MIB subagent (the
// daemon itself only checks the line).
struct SnmpSettings {
  std::string agentx_socket;       // empty: net-snmp's default (/var/agentx/master)
  unsigned heartbeat_seconds = 0;  // ntpEntNotifHeartbeat every this long; 0: none
};

struct DaemonConfig {
  std::vector<RefclockDeclaration> refclocks;
  std::vector<RestrictLine> restrictions;
  std::optional<DiscardParams> discard;
  std::vector<InterfaceRule> interface_rules;
  std::optional<int> threads;
  std::optional<std::string> tos_basedate;       // `tos basedate YYYY-MM-DD`
  std::string statsdir = "/var/log/ntpstats/";   // Debian's ntpd default
  std::map<std::string, StatsFileConfig> stats;  // loopstats, peerstats
  std::vector<AssociationLine> associations;     // `server ADDRESS` polled; the others checked only
  double broadcast_delay = 0.004;                // `broadcastdelay`
  double sanity_bound = 0.1;  // `tos sanity SECONDS`: how far the network may disagree with GPS
  // `tos minsane N`: independent network sources (distinct lineages) that must agree before the
  // network may overrule the reference clock; never fewer than 2.
  int min_sane = 3;
  std::optional<std::string> driftfile;
  DisciplineSettings discipline;  // tinker, enable/disable, leapfile, leapsmearinterval, holdover
  AuthSettings auth;              // keys, trustedkey, requestkey, controlkey
  std::string logfile;            // `logfile PATH`; empty: syslog
  LogMask log_mask = LogMask::everything();  // `logconfig`
  std::string metrics_listen;        // `metrics listen ADDRESS[:PORT]`: Prometheus over HTTP
  std::string metrics_textfile;      // `metrics textfile PATH`: node_exporter's textfile collector
  std::optional<SnmpSettings> snmp;  // `snmp agentx …`: the SNMP subagent is wanted
  // `board NAME` or `board auto`: a board profile (board_profile.hpp) supplies the reference
  // clocks when no line declares one. Resolved against the host by the daemon (board_selection).
  std::optional<std::string> board;
  SourceLocation board_where;
  std::string board_summary;  // set once resolved: "raspberry-pi-4 (Raspberry Pi 4 Model B …)"
  // `statusled NAME|none`: the LED (/sys/class/leds/NAME) that shows the state; else the board
  // profile's, if any.
  std::optional<std::string> status_led;
  std::vector<ConfigFinding> findings;
  std::vector<std::string> unreadable_includes;  // skipped with a warning (as ntpd does)

  bool has_errors() const;
};

// Returns the content of `path`, or nullopt when it cannot be read.
using FileLoader = std::function<std::optional<std::string>(const std::string& path)>;

DaemonConfig parse_ntp_conf(const std::string& path, const FileLoader& load);

// Every directive the parser knows (handled, accepted or refused with a reason), in its order.
std::vector<std::string_view> directive_names();
// Each directive with what stratumd does with it: "handled", "not yet" (warned about, ignored) or
// "not supported" (warned about, ignored for good). stratumd.conf(5) lists them (a test compares).
std::vector<std::pair<std::string_view, std::string_view>> directive_statuses();

}  // namespace stratumd
