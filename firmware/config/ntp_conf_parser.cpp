#include "firmware/config/ntp_conf_parser.hpp"

#include "firmware/config/association_diff.hpp"
#include "firmware/config/chrony_hint.hpp"
#include "firmware/ntp/restrict_table.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace stratumd {
namespace {

constexpr int kMaxIncludeDepth = 5;

// What we do with each directive ntpd knows. Not yet implemented ones are warned about with their
// line, never silently ignored, so an operator sees what the running daemon does not honour.
enum class Support { handled, not_yet, not_planned };

class Parser;
// A directive's handler: the line's location and words (the directive first).
using DirectiveHandler = void (Parser::*)(const SourceLocation&, const std::vector<std::string>&);

struct DirectiveInfo {
  std::string_view name;
  Support support;
  DirectiveHandler handler;  // null unless handled
};

std::optional<int> parse_int(std::string_view text) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// ntpd names reference clocks by the pseudo-address 127.127.TYPE.UNIT.
std::optional<RefclockDeclaration> parse_refclock_address(std::string_view address) {
  constexpr std::string_view kPrefix = "127.127.";
  if (!address.starts_with(kPrefix)) return std::nullopt;
  address.remove_prefix(kPrefix.size());
  const auto dot = address.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  const auto type = parse_int(address.substr(0, dot));
  const auto unit = parse_int(address.substr(dot + 1));
  if (!type || !unit || *type < 1 || *type > 255 || *unit < 0 || *unit > 255) return std::nullopt;
  return RefclockDeclaration{*type, *unit, {}, {}};
}

// ntpd's LOCAL clock (type 1): the undisciplined local oscillator as a last-resort source. On a
// GPS server stratumd's holdover does that job from the GPS-trained frequency; serving a free-
// running clock as if it were a source is what the line would add, so it is left out.
constexpr int kLocalClockType = 1;
constexpr const char* kLocalClockIgnored =
    "ntpd's LOCAL clock (127.127.1.U) is not used: stratumd holds over on the frequency the GPS "
    "trained (the holdover directive) and then serves unsynchronised rather than a free-running "
    "clock; line ignored";

// The ntpd driver numbers stratumd has under their 127.127.T.U addresses (gpio and dcd exist only
// as NTPsec-style `refclock` lines, which name their device).
bool ntpd_driver_available(int type) {
  return type == refclock_type::nmea || type == refclock_type::pps || type == refclock_type::shm ||
         type == refclock_type::gpsd_json;
}

std::string unavailable_driver(int type) {
  return "ntpd's reference clock driver type " + std::to_string(type) +
         " is not available in stratumd (it has NMEA 20, PPS 22, SHM 28 and GPSD JSON 46): a "
         "receiver gpsd can read works through SHM (127.127.28.U) or gpsd (127.127.46.U)";
}

std::string directory_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? std::string{} : path.substr(0, slash + 1);
}

class Parser {
 public:
  // Every directive ntpd knows: its name, what stratumd does with it, and the member handling it.
  static const DirectiveInfo* find_directive(std::string_view name);

  explicit Parser(const FileLoader& load) : load_(load) {}

  void parse_file(const std::string& path, int depth, const SourceLocation* included_from) {
    if (depth > kMaxIncludeDepth) {
      error(*included_from, "includefile nested deeper than " + std::to_string(kMaxIncludeDepth) +
                                " levels; refusing '" + path + "'");
      return;
    }
    if (std::find(stack_.begin(), stack_.end(), path) != stack_.end()) {
      error(*included_from, "includefile '" + path + "' includes itself (a cycle); refused");
      return;
    }
    const auto text = load_(path);
    if (!text) {
      if (included_from) {
        warning(*included_from,
                "includefile '" + path + "' cannot be read; skipped (as ntpd does)");
        config_.unreadable_includes.push_back(path);
      } else {
        config_.findings.push_back(
            {Severity::error, {path, 0}, "cannot read the configuration file"});
      }
      return;
    }
    stack_.push_back(path);
    std::vector<SplitError> split_errors;
    for (const ConfigLine& line : split_config_lines(*text, &split_errors)) {
      handle_line({path, line.line}, line.words, depth);
    }
    for (const SplitError& e : split_errors) error({path, e.line}, e.message);
    stack_.pop_back();
  }

  DaemonConfig take() {
    check_cross_references();
    refuse_chrony_syntax();
    return std::move(config_);
  }

 private:
  void error(const SourceLocation& where, std::string message) {
    config_.findings.push_back({Severity::error, where, std::move(message)});
  }
  void warning(const SourceLocation& where, std::string message) {
    config_.findings.push_back({Severity::warning, where, std::move(message)});
  }

  void handle_line(const SourceLocation& where, const std::vector<std::string>& words, int depth) {
    const std::string& name = words.front();
    if (is_chrony_line(words)) {
      chrony_lines_.push_back({where, words});  // said once for the whole file, at the end
      return;
    }
    const DirectiveInfo* info = find_directive(name);
    if (!info) {
      error(where, "unknown directive '" + name + "' (see ntp.conf(5) for the valid ones)");
      return;
    }
    switch (info->support) {
      case Support::not_yet:
        warning(where, "'" + name + "' is not implemented yet; line ignored");
        return;
      case Support::not_planned:
        warning(where, "'" + name + "' is not supported by stratumd; line ignored");
        return;
      case Support::handled:
        break;
    }
    depth_ = depth;
    (this->*info->handler)(where, words);
  }

  void handle_includefile(const SourceLocation& where, const std::vector<std::string>& words) {
    if (words.size() != 2) return error(where, "includefile takes one file name");
    std::string target = words[1];
    if (!target.starts_with('/')) target = directory_of(where.file) + target;
    parse_file(target, depth_ + 1, &where);
  }

  void handle_driftfile(const SourceLocation& where, const std::vector<std::string>& words) {
    if (words.size() < 2) return error(where, "driftfile needs a file name");
    config_.driftfile = words[1];
  }

  // A reference clock (127.127.T.U) or an upstream server.
  void handle_server(const SourceLocation& where, const std::vector<std::string>& words) {
    if (words.size() < 2) return error(where, "server needs an address");
    if (auto refclock = parse_refclock_address(words[1])) {
      if (refclock->type == kLocalClockType) return warning(where, kLocalClockIgnored);
      if (!ntpd_driver_available(refclock->type)) {
        return error(where, unavailable_driver(refclock->type));
      }
      refclock->where = where;
      if (find_refclock(refclock->type, refclock->unit)) {
        return error(where, "reference clock " + words[1] + " is declared twice");
      }
      const std::string e = apply_server_options(refclock->options, words, 2);
      if (!e.empty()) return error(where, e);
      config_.refclocks.push_back(*refclock);
    } else if (words[1].starts_with("127.127.")) {
      error(where, "'" + words[1] + "' is not a valid reference clock address (127.127.TYPE.UNIT)");
    } else {
      handle_association(where, words);
    }
  }

  void handle_fudge(const SourceLocation& where, const std::vector<std::string>& words) {
    const auto address = words.size() >= 2 ? parse_refclock_address(words[1]) : std::nullopt;
    if (!address) return error(where, "fudge needs a reference clock address 127.127.TYPE.UNIT");
    if (address->type == kLocalClockType) return warning(where, kLocalClockIgnored);
    if (!ntpd_driver_available(address->type)) {
      return error(where, unavailable_driver(address->type));
    }
    RefclockDeclaration* target = find_refclock(address->type, address->unit);
    if (!target) {
      return error(where, "fudge for " + words[1] + ", which no earlier 'server " + words[1] +
                              "' line declares");
    }
    const std::string e = apply_fudge_options(target->options, words, 2);
    if (!e.empty()) return error(where, e);
  }

  void handle_threads(const SourceLocation& where, const std::vector<std::string>& words) {
    const auto n = words.size() == 2 ? parse_int(words[1]) : std::nullopt;
    if (!n || *n < 1 || *n > 64) return error(where, "threads takes one number from 1 to 64");
    config_.threads = *n;
  }

  void handle_statsdir(const SourceLocation& where, const std::vector<std::string>& words) {
    if (words.size() != 2) return error(where, "statsdir takes one directory");
    config_.statsdir = words[1].ends_with('/') ? words[1] : words[1] + "/";
  }

  void handle_key_directive(const SourceLocation& where, const std::vector<std::string>& words) {
    const std::string e = apply_key_directive(config_.auth, words, where.file, where.line);
    if (!e.empty()) return error(where, e);
  }

  void handle_logfile(const SourceLocation& where, const std::vector<std::string>& words) {
    if (words.size() != 2) return error(where, "logfile takes one file name");
    config_.logfile = words[1];
  }

  void handle_logconfig(const SourceLocation& where, const std::vector<std::string>& words) {
    const std::string e =
        config_.log_mask.apply(std::vector<std::string>(words.begin() + 1, words.end()));
    if (!e.empty()) return error(where, e);
  }

  void handle_broadcastdelay(const SourceLocation& where, const std::vector<std::string>& words) {
    const std::string e = parse_broadcast_delay(words, config_.broadcast_delay);
    if (!e.empty()) return error(where, e);
  }

  void handle_leapfile(const SourceLocation& where, const std::vector<std::string>& words) {
    if (words.size() != 2) return error(where, "leapfile takes one file name");
    config_.discipline.leapfile = words[1];
  }

  // The keys file is read here, through the same loader, so --check-config sees its lines.
  void handle_keys(const SourceLocation& where, const std::vector<std::string>& words) {
    if (words.size() != 2) return error(where, "keys takes one file name");
    config_.auth.keys_file = words[1];
    const auto text = load_(words[1]);
    if (!text) {
      return warning(
          where, "keys file '" + words[1] + "' cannot be read; no symmetric keys (as ntpd does)");
    }
    KeysFileParse keys = parse_keys_file(*text);
    for (const KeyFileFinding& f : keys.findings) {
      config_.findings.push_back(
          {f.error ? Severity::error : Severity::warning, {words[1], f.line}, f.message});
    }
    config_.auth.keys = std::move(keys.keys);
  }

  // Every association line is checked in full; one that cannot be used says so rather than being
  // silently ignored.
  void handle_association(const SourceLocation& where, const std::vector<std::string>& words) {
    using Kind = AssociationLine::Kind;
    AssociationLine line;
    line.file = where.file;
    line.line = where.line;
    const std::string e = parse_association(words, line);
    if (!e.empty()) return error(where, e);
    // ntpd keeps one association per host and role ("ignoring duplicate configuration"); two
    // would poll the server twice and count it twice in the vote, and a reload could not tell
    // which of them a removed line meant.
    for (const AssociationLine& earlier : config_.associations) {
      if (!same_association(earlier, line)) continue;
      return warning(where, "a second '" + association_name(line) + "' line (the first is at " +
                                earlier.file + ":" + std::to_string(earlier.line) +
                                "): one association per host; line ignored");
    }
    config_.associations.push_back(line);
    if ((line.kind == Kind::broadcast || line.kind == Kind::manycastclient) &&
        !IpAddress::parse(line.addresses.front())) {
      warning(where, "'" + words[0] + "' needs an address (" +
                         (line.kind == Kind::broadcast ? "a subnet broadcast or multicast group"
                                                       : "a multicast group") +
                         "): line not used");
    }
  }

  // stratumd's own: `board NAME|auto` (a profile from board/profiles).
  void handle_board(const SourceLocation& where, const std::vector<std::string>& words) {
    const bool valid_name = words.size() == 2 && !words[1].empty() &&
                            std::all_of(words[1].begin(), words[1].end(), [](char c) {
                              return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
                            });
    if (!valid_name) {
      return error(where, "board takes one profile name (e.g. raspberry-pi-4) or 'auto'");
    }
    if (config_.board)
      return error(where, "a second board line (the first is at line " +
                              std::to_string(config_.board_where.line) + ")");
    config_.board = words[1];
    config_.board_where = where;
  }

  // stratumd's own: `statusled NAME|none`.
  void handle_statusled(const SourceLocation& where, const std::vector<std::string>& words) {
    const bool valid_name = words.size() == 2 && !words[1].empty() && words[1] != "." &&
                            words[1] != ".." && words[1].find('/') == std::string::npos;
    if (!valid_name) {
      return error(where, "statusled takes one LED name from /sys/class/leds (e.g. ACT) or 'none'");
    }
    config_.status_led = words[1];
  }

  // stratumd's own: `snmp agentx [SOCKET] [heartbeat SECONDS]`, for stratumd-snmp.
  void handle_snmp(const SourceLocation& where, const std::vector<std::string>& words) {
    const char* usage =
        "snmp takes 'agentx [SOCKET] [heartbeat SECONDS]' (e.g. 'snmp agentx' or "
        "'snmp agentx /var/agentx/master heartbeat 60')";
    if (words.size() < 2 || words[1] != "agentx") return error(where, usage);
    SnmpSettings snmp;
    std::size_t i = 2;
    if (i < words.size() && words[i] != "heartbeat") snmp.agentx_socket = words[i++];
    if (i < words.size()) {
      if (words[i] != "heartbeat" || i + 2 != words.size()) return error(where, usage);
      const auto seconds = parse_int(words[i + 1]);
      if (!seconds || *seconds < 1 || *seconds > 86400) {
        return error(where,
                     "snmp heartbeat takes seconds from 1 to 86400, not '" + words[i + 1] + "'");
      }
      snmp.heartbeat_seconds = static_cast<unsigned>(*seconds);
    }
    config_.snmp = snmp;
  }

  // stratumd's own: `metrics [listen ADDRESS[:PORT]] [textfile PATH]`.
  void handle_metrics(const SourceLocation& where, const std::vector<std::string>& words) {
    if (words.size() < 3 || words.size() % 2 == 0) {
      return error(where, "metrics takes 'listen ADDRESS[:PORT]' and/or 'textfile PATH'");
    }
    for (std::size_t i = 1; i + 1 < words.size(); i += 2) {
      std::string value = words[i + 1];
      if (words[i] == "listen") {
        const std::string example = "e.g. 127.0.0.1 or [::1]:" + std::to_string(kMetricsPort);
        // A bare address (an IPv6 one in brackets) gets the default port.
        const bool bracketed = !value.empty() && value.front() == '[';
        const bool bare = bracketed ? value.back() == ']' : value.find(':') == std::string::npos;
        if (bare) value += ":" + std::to_string(kMetricsPort);
        const auto colon = value.rfind(':');
        const std::string host = value.substr(0, colon == std::string::npos ? 0 : colon);
        const int port =
            colon == std::string::npos ? 0 : parse_int(value.substr(colon + 1)).value_or(0);
        const bool host_ok = bracketed
                                 ? host.size() > 2 && host.back() == ']' &&
                                       IpAddress::parse(host.substr(1, host.size() - 2)).has_value()
                                 : IpAddress::parse(host).has_value();
        if (port < 1 || port > 65535 || !host_ok) {
          return error(where, "metrics listen takes an address and optionally a port (" + example +
                                  "), not '" + words[i + 1] + "'");
        }
        config_.metrics_listen = value;
      } else if (words[i] == "textfile") {
        config_.metrics_textfile = value;
      } else {
        return error(where, "unknown metrics option '" + words[i] + "'; valid: listen, textfile");
      }
    }
  }

  // References that only make sense once the whole configuration is read.
  // One error for all the chrony.conf lines, at the first, with the ntp.conf line for each.
  void refuse_chrony_syntax() {
    if (chrony_lines_.empty()) return;
    std::string message =
        "this is chrony.conf syntax; stratumd reads ntp.conf (ntpd's). In ntp.conf:";
    for (const auto& [where, words] : chrony_lines_) {
      std::string original;
      for (const std::string& w : words) original += (original.empty() ? "" : " ") + w;
      message += "\n  line " + std::to_string(where.line) + ": " + original + "  ->";
      for (const std::string& line : ntp_conf_equivalent(words)) message += "\n    " + line;
    }
    error(chrony_lines_.front().first, message);
  }

  void check_cross_references() {
    const auto check = [&](const KeyReference& k, const char* what) {
      if (config_.auth.keys.count(k.id)) return;
      warning({k.file, k.line},
              std::string(what) + " " + std::to_string(k.id) + " is not in the keys file" +
                  (config_.auth.keys_file ? " " + *config_.auth.keys_file : " (no 'keys' line)") +
                  "; nothing can authenticate with it");
    };
    for (const KeyReference& k : config_.auth.trusted) check(k, "trustedkey");
    if (config_.auth.request_key) check(*config_.auth.request_key, "requestkey");
    if (config_.auth.control_key) check(*config_.auth.control_key, "controlkey");
    for (const RefclockDeclaration& r : config_.refclocks) check_flags(r);
  }

  // ntpd's fudge flags mean something different per driver: the ones stratumd honours are used,
  // every other one set is said once, at the clock's line, never silently dropped.
  void check_flags(const RefclockDeclaration& r) {
    // Why each flag is ignored; none where the driver uses it.
    std::array<const char*, 4> ignored{};
    switch (r.type) {
      case refclock_type::nmea:  // PPS on ppspath, its clear edge, the kernel's PPS loop
        ignored[3] = "(hide the position in the timecode) is not implemented";
        if (r.options.flag(3) && !r.options.flag(1)) {
          warning(r.where,
                  "flag3 (the kernel's PPS loop) needs flag1 (the PPS on ppspath); ignored");
        }
        break;
      case refclock_type::pps:  // clear edge, the kernel's PPS loop
        ignored[0] = "is not used by the PPS driver";
        ignored[3] = "(a clockstats line per pulse) is not implemented";
        break;
      case refclock_type::shm:  // no time2 limit
        ignored[1] = ignored[2] = ignored[3] = "is not used by the SHM driver";
        break;
      default:
        return;
    }
    for (int n = 1; n <= 4; ++n) {
      const char* why = ignored[static_cast<std::size_t>(n - 1)];
      if (why && r.options.flag(n)) {
        warning(r.where, "flag" + std::to_string(n) + " " + why + "; ignored");
      }
    }
  }

  // `tos OPTION VALUE [OPTION VALUE ...]`, as ntpd writes it (`tos minclock 4 minsane 3`).
  void handle_tos(const SourceLocation& where, const std::vector<std::string>& words) {
    if (words.size() < 3 || words.size() % 2 == 0) {
      return error(where, "tos takes option and value pairs (e.g. tos minsane 3 sanity 0.1)");
    }
    for (std::size_t i = 1; i + 1 < words.size(); i += 2) {
      const std::string& option = words[i];
      const std::string& value = words[i + 1];
      if (option == "sanity") {
        char* end = nullptr;
        const double bound = std::strtod(value.c_str(), &end);
        if (end == value.c_str() || *end != '\0' || !(bound > 0 && bound <= 10)) {
          return error(where,
                       "tos sanity takes the seconds the GPS may differ from the network "
                       "majority, above 0 and at most 10 (default 0.1)");
        }
        config_.sanity_bound = bound;
      } else if (option == "basedate") {
        if (value.size() != 10 || value[4] != '-' || value[7] != '-') {
          return error(where, "tos basedate takes a date as YYYY-MM-DD");
        }
        config_.tos_basedate = value;
      } else if (option == "minsane") {
        const std::optional<int> n = parse_int(value);
        if (!n || *n < 1 || *n > 16) {
          return error(where, "tos minsane takes a count of sources from 1 to 16 (default 3)");
        }
        if (*n < 2) {
          warning(where,
                  "tos minsane " + value +
                      ": one network source can never overrule the reference clock; using 2");
        }
        config_.min_sane = std::max(*n, 2);
      } else {
        warning(where,
                "tos " + option +
                    " is not implemented (basedate, minsane and sanity are); option ignored");
      }
    }
  }

  void handle_discipline(const SourceLocation& where, const std::vector<std::string>& words) {
    DisciplineSettings& d = config_.discipline;
    const std::size_t warned = d.warnings.size();
    std::string problem;
    if (words[0] == "tinker") {
      problem = apply_tinker(d, words);
    } else if (words[0] == "enable" || words[0] == "disable") {
      problem = apply_enable_disable(d, words);
    } else if (words[0] == "holdover") {
      problem = apply_holdover(d, words);
    } else if (words[0] == "leapsmearinterval") {
      problem = apply_leap_smear(d, words);
    }
    if (!problem.empty()) return error(where, problem);
    for (std::size_t i = warned; i < d.warnings.size(); ++i) warning(where, d.warnings[i]);
  }

  // ntpd's statistics names; stratumd writes loopstats, peerstats and clockstats.
  void handle_statistics(const SourceLocation& where, const std::vector<std::string>& words) {
    static const std::vector<std::string> kWritten{"loopstats", "peerstats", "clockstats"};
    static const std::vector<std::string> kKnown{"cryptostats", "protostats", "rawstats",
                                                 "sysstats", "timingstats"};
    const auto written = [&](const std::string& n) {
      return std::find(kWritten.begin(), kWritten.end(), n) != kWritten.end();
    };
    const auto known = [&](const std::string& n) {
      return written(n) || std::find(kKnown.begin(), kKnown.end(), n) != kKnown.end();
    };
    if (words.size() < 2)
      return error(where, words[0] + " needs a statistics name (loopstats, peerstats, ...)");
    if (words[0] == "statistics") {
      for (std::size_t i = 1; i < words.size(); ++i) {
        if (!known(words[i])) {
          return error(
              where, "unknown statistics '" + words[i] +
                         "'; valid: loopstats peerstats clockstats cryptostats protostats rawstats "
                         "sysstats timingstats");
        }
        if (!written(words[i])) {
          warning(where, "'" + words[i] + "' statistics are not written yet; ignored");
          continue;
        }
        config_.stats[words[i]].enabled = true;
      }
      return;
    }
    const std::string& stat = words[1];
    if (!known(stat)) return error(where, "unknown statistics '" + stat + "' in filegen");
    StatsFileConfig settings = config_.stats.count(stat) ? config_.stats[stat] : StatsFileConfig{};
    for (std::size_t i = 2; i < words.size(); ++i) {
      const std::string& w = words[i];
      if (w == "file" && i + 1 < words.size()) {
        settings.file = words[++i];
      } else if (w == "type" && i + 1 < words.size()) {
        const std::string& t = words[++i];
        if (t != "none" && t != "day" && t != "week" && t != "month" && t != "year") {
          return error(where, "filegen type '" + t + "' is not one of none day week month year");
        }
        settings.type = t;
      } else if (w == "link" || w == "nolink") {
        settings.link = w == "link";
      } else if (w == "enable" || w == "disable") {
        settings.enabled = w == "enable";
      } else {
        return error(where, "unknown filegen option '" + w +
                                "'; valid: file NAME, type T, link, nolink, enable, disable");
      }
    }
    if (!written(stat))
      return warning(where, "'" + stat + "' statistics are not written yet; ignored");
    config_.stats[stat] = settings;
  }

  RefclockDeclaration* find_refclock(int type, int unit) {
    for (RefclockDeclaration& r : config_.refclocks) {
      if (r.type == type && r.unit == unit) return &r;
    }
    return nullptr;
  }

  // NTPsec: refclock NAME [unit U] OPTIONS...
  void handle_refclock(const SourceLocation& where, const std::vector<std::string>& words) {
    if (words.size() < 2)
      return error(where, "refclock needs a driver name: nmea, pps, shm, gpsd, gpio or dcd");
    const auto type = refclock_type_from_name(words[1]);
    if (!type) {
      return error(where,
                   "unknown refclock driver '" + words[1] + "'; valid: nmea pps shm gpsd gpio dcd");
    }
    RefclockDeclaration r{*type, 0, where, {}};
    std::vector<std::string> rest{words[0], words[1]};
    for (std::size_t i = 2; i < words.size(); ++i) {
      if (words[i] == "unit") {
        const auto unit = i + 1 < words.size() ? parse_int(words[i + 1]) : std::nullopt;
        if (!unit || *unit < 0 || *unit > 255)
          return error(where, "unit takes a number from 0 to 255");
        r.unit = *unit;
        ++i;
      } else {
        rest.push_back(words[i]);
      }
    }
    if (find_refclock(r.type, r.unit)) {
      return error(
          where, "refclock " + words[1] + " unit " + std::to_string(r.unit) + " is declared twice");
    }
    const std::string e = apply_refclock_options(r.options, rest, 2);
    if (!e.empty()) return error(where, e);
    if (r.type == refclock_type::dcd_pps && !r.options.path) {
      return error(
          where,
          "refclock dcd needs 'path /dev/ttyXXX' (the serial port whose DCD carries the PPS)");
    }
    if (r.type == refclock_type::gpio_pps && (!r.options.path || !r.options.gpio_line)) {
      return error(where, "refclock gpio needs 'path /dev/gpiochipN' and 'line N'");
    }
    config_.refclocks.push_back(r);
  }

  void handle_restrict(const SourceLocation& where, const std::vector<std::string>& words) {
    RestrictLine line;
    line.where = where;
    std::size_t i = 1;
    if (i < words.size() && (words[i] == "-4" || words[i] == "-6")) {
      line.family = words[i] == "-4" ? IpFamily::v4 : IpFamily::v6;
      ++i;
    }
    if (i >= words.size()) return error(where, "restrict needs an address, 'default' or 'source'");
    const std::string& target = words[i++];
    if (target == "source") {
      if (line.family) return error(where, "restrict source takes no -4 or -6");
      line.source = true;
      return add_restrict_flags(where, words, i, line);
    }
    if (target != "default") {
      auto prefix = IpPrefix::parse(target);
      if (!prefix && looks_like_host_name(target)) {
        // Resolved by the daemon at run time, with retries: never here (no DNS at parse time).
        if (i < words.size() && words[i] == "mask") {
          return error(where, "a mask needs a numeric address, not the host name '" + target + "'");
        }
        line.host_name = target;
        return add_restrict_flags(where, words, i, line);
      }
      if (!prefix) {
        return error(where, "'" + target + "' is not a valid address or ADDR/LENGTH prefix");
      }
      if (line.family && *line.family != prefix->address.family) {
        return error(where, "'" + target + "' does not belong to the family given by " + words[1]);
      }
      if (i + 1 < words.size() && words[i] == "mask") {
        const auto mask = IpAddress::parse(words[i + 1]);
        const auto masked = mask ? IpPrefix::from_mask(prefix->address, *mask) : std::nullopt;
        if (!masked || target.find('/') != std::string::npos) {
          return error(where, "mask '" + words[i + 1] +
                                  "' is not a contiguous netmask of the address's family");
        }
        prefix = masked;
        i += 2;
      } else if (i < words.size() && words[i] == "mask") {
        return error(where, "mask needs a netmask such as 255.255.255.0");
      }
      line.prefix = prefix;
    }
    add_restrict_flags(where, words, i, line);
  }

  void add_restrict_flags(const SourceLocation& where, const std::vector<std::string>& words,
                          std::size_t i, RestrictLine& line) {
    for (; i < words.size(); ++i) {
      if (words[i] == "ippeerlimit") {
        if (i + 1 >= words.size() || !parse_int(words[i + 1]))
          return error(where, "ippeerlimit needs a number");
        warning(where, "ippeerlimit is not implemented yet; ignored");
        ++i;
        continue;
      }
      const auto flag = restrict_flag_from_name(words[i]);
      if (!flag) {
        return error(where, "unknown restrict flag '" + words[i] +
                                "'; valid flags: " + valid_restrict_flags());
      }
      line.flags |= *flag;
    }
    config_.restrictions.push_back(line);
  }

  void handle_discard(const SourceLocation& where, const std::vector<std::string>& words) {
    DiscardParams params = config_.discard.value_or(DiscardParams{});
    if (words.size() < 3 || words.size() % 2 == 0) {
      return error(where, "discard takes pairs: average LOG2SECONDS, minimum SECONDS, monitor N");
    }
    for (std::size_t i = 1; i + 1 < words.size(); i += 2) {
      const auto value = parse_int(words[i + 1]);
      if (words[i] == "average") {
        if (!value || *value < 0 || *value > 16)
          return error(where, "discard average takes log2 seconds from 0 to 16");
        params.average_log2 = *value;
      } else if (words[i] == "minimum") {
        if (!value || *value < 1 || *value > 3600)
          return error(where, "discard minimum takes seconds from 1 to 3600");
        params.minimum_s = *value;
      } else if (words[i] == "monitor") {
        if (!value || *value < 0)
          return error(where, "discard monitor takes a non-negative number");
        params.monitor = *value;
      } else {
        return error(where,
                     "unknown discard option '" + words[i] + "'; valid: average minimum monitor");
      }
    }
    config_.discard = params;
  }

  void handle_interface(const SourceLocation& where, const std::vector<std::string>& words) {
    if (words.size() != 3) {
      return error(where,
                   words[0] +
                       " takes an action (listen, ignore, drop) and what it applies to "
                       "(all, ipv4, ipv6, wildcard, an interface name or an address[/prefix])");
    }
    InterfaceRule rule;
    rule.where = where;
    if (words[1] == "listen") {
      rule.action = InterfaceRule::Action::listen;
    } else if (words[1] == "ignore") {
      rule.action = InterfaceRule::Action::ignore;
    } else if (words[1] == "drop") {
      rule.action = InterfaceRule::Action::drop;
    } else {
      return error(where, "unknown interface action '" + words[1] + "'; valid: listen ignore drop");
    }
    const std::string& what = words[2];
    if (what == "all") {
      rule.match = InterfaceRule::Match::all;
    } else if (what == "ipv4") {
      rule.match = InterfaceRule::Match::ipv4;
    } else if (what == "ipv6") {
      rule.match = InterfaceRule::Match::ipv6;
    } else if (what == "wildcard") {
      rule.match = InterfaceRule::Match::wildcard;
    } else if (auto prefix = IpPrefix::parse(what)) {
      rule.match = InterfaceRule::Match::prefix;
      rule.prefix = *prefix;
    } else if (what.find_first_of("/:") == std::string::npos && what.size() < 16) {
      rule.match = InterfaceRule::Match::name;
      rule.name = what;
    } else {
      return error(where, "'" + what + "' is neither an interface name nor an address[/prefix]");
    }
    config_.interface_rules.push_back(rule);
  }

  const FileLoader& load_;
  DaemonConfig config_;
  std::vector<std::pair<SourceLocation, std::vector<std::string>>> chrony_lines_;
  std::vector<std::string> stack_;
  int depth_ = 0;  // of the file being read: includefile nests one deeper

 public:
  // Every directive ntpd knows: its name, what stratumd does with it, and the member handling it
  // (one table: the list and the dispatch cannot drift apart).
  static constexpr DirectiveInfo kDirectives[]{
      {"server", Support::handled, &Parser::handle_server},
      {"pool", Support::handled, &Parser::handle_association},
      {"peer", Support::handled, &Parser::handle_association},
      {"broadcast", Support::handled, &Parser::handle_association},
      {"manycastserver", Support::handled, &Parser::handle_association},
      {"manycastclient", Support::handled, &Parser::handle_association},
      {"broadcastclient", Support::handled, &Parser::handle_association},
      {"multicastclient", Support::handled, &Parser::handle_association},
      {"fudge", Support::handled, &Parser::handle_fudge},
      {"refclock", Support::handled, &Parser::handle_refclock},
      {"restrict", Support::handled, &Parser::handle_restrict},
      {"discard", Support::handled, &Parser::handle_discard},
      {"driftfile", Support::handled, &Parser::handle_driftfile},
      {"leapfile", Support::handled, &Parser::handle_leapfile},
      {"logfile", Support::handled, &Parser::handle_logfile},
      {"logconfig", Support::handled, &Parser::handle_logconfig},
      {"statsdir", Support::handled, &Parser::handle_statsdir},
      {"statistics", Support::handled, &Parser::handle_statistics},
      {"filegen", Support::handled, &Parser::handle_statistics},
      {"keys", Support::handled, &Parser::handle_keys},
      {"trustedkey", Support::handled, &Parser::handle_key_directive},
      {"requestkey", Support::handled, &Parser::handle_key_directive},
      {"controlkey", Support::handled, &Parser::handle_key_directive},
      {"interface", Support::handled, &Parser::handle_interface},
      {"tos", Support::handled, &Parser::handle_tos},
      {"tinker", Support::handled, &Parser::handle_discipline},
      {"enable", Support::handled, &Parser::handle_discipline},
      {"disable", Support::handled, &Parser::handle_discipline},
      {"broadcastdelay", Support::handled, &Parser::handle_broadcastdelay},
      {"includefile", Support::handled, &Parser::handle_includefile},
      {"crypto", Support::not_planned, nullptr},
      {"autokey", Support::not_planned, nullptr},
      {"revoke", Support::not_planned, nullptr},
      {"ntpsigndsocket", Support::not_planned, nullptr},
      {"phone", Support::not_planned, nullptr},
      {"setvar", Support::not_yet, nullptr},
      {"trap", Support::not_planned, nullptr},
      {"ttl", Support::not_yet, nullptr},
      {"mru", Support::not_yet, nullptr},
      {"nonvolatile", Support::not_yet, nullptr},
      {"saveconfigdir", Support::not_planned, nullptr},
      {"rlimit", Support::not_planned, nullptr},
      {"threads", Support::handled, &Parser::handle_threads},
      {"nic", Support::handled, &Parser::handle_interface},
      {"leapsmearinterval", Support::handled, &Parser::handle_discipline},
      {"holdover", Support::handled, &Parser::handle_discipline},
      {"metrics", Support::handled, &Parser::handle_metrics},
      {"board", Support::handled, &Parser::handle_board},
      {"statusled", Support::handled, &Parser::handle_statusled},
      {"snmp", Support::handled, &Parser::handle_snmp},
  };
};

const DirectiveInfo* Parser::find_directive(std::string_view name) {
  const auto it = std::find_if(std::begin(kDirectives), std::end(kDirectives),
                               [&](const DirectiveInfo& d) { return d.name == name; });
  return it == std::end(kDirectives) ? nullptr : &*it;
}

}  // namespace

std::string ConfigFinding::format() const {
  std::string out = where.file;
  if (where.line > 0) out += ":" + std::to_string(where.line);
  out += severity == Severity::error ? ": error: " : ": warning: ";
  out += message;
  return out;
}

std::vector<std::string_view> directive_names() {
  std::vector<std::string_view> names;
  for (const DirectiveInfo& d : Parser::kDirectives) names.push_back(d.name);
  return names;
}

std::vector<std::pair<std::string_view, std::string_view>> directive_statuses() {
  std::vector<std::pair<std::string_view, std::string_view>> statuses;
  for (const DirectiveInfo& d : Parser::kDirectives) {
    statuses.emplace_back(d.name, d.support == Support::handled   ? "handled"
                                  : d.support == Support::not_yet ? "not yet"
                                                                  : "not supported");
  }
  return statuses;
}

bool DaemonConfig::has_errors() const {
  return std::any_of(findings.begin(), findings.end(),
                     [](const ConfigFinding& f) { return f.severity == Severity::error; });
}

DaemonConfig parse_ntp_conf(const std::string& path, const FileLoader& load) {
  Parser parser(load);
  parser.parse_file(path, 0, nullptr);
  return parser.take();
}

}  // namespace stratumd
