#include "firmware/snmp/ntp_mib.hpp"

#include <arpa/inet.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <optional>

namespace stratumd {

namespace {

// RFC 5907's objects, below 1.3.6.1.2.1.197.1.
namespace oid {
const std::initializer_list<std::uint32_t> software_name{1, 1, 1, 0}, software_version{1, 1, 2, 0},
    software_vendor{1, 1, 3, 0}, system_type{1, 1, 4, 0}, time_resolution{1, 1, 5, 0},
    time_precision{1, 1, 6, 0}, time_distance{1, 1, 7, 0};
const std::initializer_list<std::uint32_t> current_mode{1, 2, 1, 0}, stratum{1, 2, 2, 0},
    active_source_id{1, 2, 3, 0}, active_source_name{1, 2, 4, 0}, active_offset{1, 2, 5, 0},
    source_count{1, 2, 6, 0}, dispersion{1, 2, 7, 0}, uptime{1, 2, 8, 0}, date_time{1, 2, 9, 0},
    leap_second{1, 2, 10, 0}, leap_direction{1, 2, 11, 0}, in_packets{1, 2, 12, 0},
    out_packets{1, 2, 13, 0}, bad_version{1, 2, 14, 0}, protocol_error{1, 2, 15, 0},
    notifications{1, 2, 16, 0};
const std::initializer_list<std::uint32_t> heartbeat_interval{1, 4, 1, 0}, notif_bits{1, 4, 2, 0},
    notif_message{1, 5, 1, 0};
// ntpAssociationEntry (1.3.1.1.C.id) and ntpAssociationStatisticsEntry (1.3.2.1.C.id).
constexpr std::uint32_t assoc_name = 2, assoc_refid = 3, assoc_address_type = 4, assoc_address = 5,
                        assoc_offset = 6, assoc_stratum = 7, assoc_jitter = 8, assoc_delay = 9,
                        assoc_dispersion = 10;
constexpr std::uint32_t stat_in = 1, stat_out = 2, stat_protocol_error = 3;
}  // namespace oid

constexpr std::int64_t kNtpUnixOffset = 2208988800;

MibValue text(std::string s) {
  return {MibValue::Type::octets, 0, std::move(s)};
}
MibValue integer(std::int64_t n) {
  return {MibValue::Type::integer, n, {}};
}
MibValue unsigned32(std::int64_t n) {
  return {MibValue::Type::unsigned32, n, {}};
}
MibValue counter(std::int64_t n) {
  return {MibValue::Type::counter32, n, {}};
}

std::optional<std::int64_t> number(const VariableList& vars, std::string_view name) {
  const auto it = vars.find(name);
  if (it == vars.end() || it->second.empty()) return std::nullopt;
  char* end = nullptr;
  const long long n = std::strtoll(it->second.c_str(), &end, 10);
  if (end == it->second.c_str()) return std::nullopt;
  return n;
}

std::string value(const VariableList& vars, std::string_view name) {
  const auto it = vars.find(name);
  return it == vars.end() ? std::string{} : it->second;
}

// "12.345 ms", the MIB's DisplayString form with its unit.
std::string milliseconds(const VariableList& vars, std::string_view name) {
  const std::string v = value(vars, name);
  return v.empty() ? std::string{} : v + " ms";
}

// ntpd's "0xSSSSSSSS.FFFFFFFF" as seconds and fraction.
std::optional<std::pair<std::uint32_t, std::uint32_t>> hex_timestamp(const std::string& text) {
  if (text.size() != 19 || text.compare(0, 2, "0x") != 0 || text[10] != '.') return std::nullopt;
  const std::string seconds_hex = text.substr(2, 8), fraction_hex = text.substr(11, 8);
  char* end = nullptr;
  const unsigned long seconds = std::strtoul(seconds_hex.c_str(), &end, 16);
  if (*end != '\0') return std::nullopt;
  const unsigned long fraction = std::strtoul(fraction_hex.c_str(), &end, 16);
  if (*end != '\0') return std::nullopt;
  return std::pair{static_cast<std::uint32_t>(seconds), static_cast<std::uint32_t>(fraction)};
}

// NtpDateTime: era (signed), seconds in the era, 64-bit fraction, all big-endian. A 32-bit
// timestamp below 2^31 is taken to be in era 1 (after 2036), as RFC 5905 suggests for dates
// that cannot be before 1968.
std::string ntp_date(std::int64_t ntp_seconds, std::uint32_t fraction) {
  const std::int64_t era = ntp_seconds >> 32;
  const std::uint64_t in_era = static_cast<std::uint64_t>(ntp_seconds) & 0xFFFFFFFFu;
  std::string out(16, '\0');
  auto put32 = [&](std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out[at + i] = static_cast<char>(v >> (24 - 8 * i));
  };
  put32(0, static_cast<std::uint32_t>(era));
  put32(4, static_cast<std::uint32_t>(in_era));
  put32(8, fraction);
  return out;
}

std::optional<std::int64_t> full_ntp_seconds(std::uint32_t seconds) {
  return seconds < 0x80000000u ? std::int64_t{seconds} + (std::int64_t{1} << 32)
                               : std::int64_t{seconds};
}

// The end of the month `ntp_seconds` falls in, where a leap second is inserted or deleted.
std::int64_t end_of_month(std::int64_t ntp_seconds) {
  using namespace std::chrono;
  const sys_seconds at{seconds{ntp_seconds - kNtpUnixOffset}};
  const year_month_day day{floor<days>(at)};
  const year_month next = year_month{day.year(), day.month()} + months{1};
  const sys_days first{next / 1};
  return duration_cast<seconds>(first.time_since_epoch()).count() + kNtpUnixOffset;
}

std::string address_bytes(const std::string& address, int& type) {
  in6_addr v6{};
  in_addr v4{};
  if (inet_pton(AF_INET, address.c_str(), &v4) == 1) {
    type = 1;
    return {reinterpret_cast<const char*>(&v4), 4};
  }
  if (inet_pton(AF_INET6, address.c_str(), &v6) == 1) {
    type = 2;
    return {reinterpret_cast<const char*>(&v6), 16};
  }
  type = 0;  // unknown(0)
  return {};
}

std::string association_name(const AssociationReadout& a) {
  const std::string host = value(a.variables, "srchost");
  return host.empty() ? value(a.variables, "srcadr") : host;
}

// The peer status word's selection field: 6 system peer, 7 PPS peer.
const AssociationReadout* system_peer(const DaemonReadout& daemon) {
  for (const AssociationReadout& a : daemon.associations) {
    const int selection = (a.status >> 8) & 0x7;
    if (selection == 6 || selection == 7) return &a;
  }
  return nullptr;
}

std::optional<MibValue> find(const MibValues& values, std::initializer_list<std::uint32_t> tail) {
  const auto it = values.find(ntp_mib_oid(tail));
  if (it == values.end()) return std::nullopt;
  return it->second;
}

// The association names under 1.3.1.1.2, by association id.
std::map<std::uint32_t, std::string> association_names(const MibValues& values) {
  std::map<std::uint32_t, std::string> names;
  const Oid prefix = ntp_mib_oid({1, 3, 1, 1, oid::assoc_name});
  for (auto it = values.lower_bound(prefix); it != values.end(); ++it) {
    const Oid& o = it->first;
    if (o.size() != prefix.size() + 1 || !std::equal(prefix.begin(), prefix.end(), o.begin()))
      break;
    names[o.back()] = it->second.octets;
  }
  return names;
}

}  // namespace

Oid ntp_mib_oid(std::initializer_list<std::uint32_t> tail) {
  Oid o = kNtpMibRoot;
  o.insert(o.end(), tail.begin(), tail.end());
  return o;
}

const char* entity_mode_name(EntityMode mode) {
  switch (mode) {
    case EntityMode::not_running:
      return "notRunning";
    case EntityMode::not_synchronized:
      return "notSynchronized";
    case EntityMode::none_configured:
      return "noneConfigured";
    case EntityMode::sync_to_local:
      return "syncToLocal";
    case EntityMode::sync_to_refclock:
      return "syncToRefclock";
    case EntityMode::sync_to_remote_server:
      return "syncToRemoteServer";
  }
  return "unknown";
}

EntityMode entity_mode(const DaemonReadout& daemon) {
  if (!daemon.answered) return EntityMode::not_running;
  const auto stratum = number(daemon.system, "stratum").value_or(16);
  const auto leap = number(daemon.system, "leap").value_or(3);
  if (stratum >= 16 || leap == 3) {
    return daemon.associations.empty() ? EntityMode::none_configured : EntityMode::not_synchronized;
  }
  if (value(daemon.system, "refid") == "LOCL") return EntityMode::sync_to_local;
  return stratum == 1 ? EntityMode::sync_to_refclock : EntityMode::sync_to_remote_server;
}

MibValues build_ntp_mib(const DaemonReadout& daemon, const AgentState& agent) {
  MibValues mib;
  auto put = [&](std::initializer_list<std::uint32_t> tail, MibValue v) {
    mib[ntp_mib_oid(tail)] = std::move(v);
  };
  const EntityMode mode = entity_mode(daemon);
  put(oid::software_name, text("stratumd"));
  put(oid::software_vendor, text("stratumd developers"));
  put(oid::current_mode, integer(static_cast<int>(mode)));
  put(oid::heartbeat_interval, unsigned32(agent.heartbeat_seconds));
  put(oid::notif_bits, text(notification_bits(agent.heartbeat_seconds)));
  put(oid::notifications, counter(static_cast<std::int64_t>(agent.notifications_sent)));
  if (!daemon.answered) return mib;

  const VariableList& sys = daemon.system;
  put(oid::software_version, text(value(sys, "version")));
  const std::string processor = value(sys, "processor");
  put(oid::system_type,
      text(value(sys, "system") + (processor.empty() ? std::string{} : " " + processor)));
  if (const auto precision = number(sys, "precision")) {
    put(oid::time_resolution,
        unsigned32(std::llround(std::ldexp(1.0, static_cast<int>(-*precision)))));
    put(oid::time_precision, integer(*precision));
  }
  put(oid::time_distance, text(milliseconds(sys, "rootdist")));

  const bool synchronised = mode == EntityMode::sync_to_refclock ||
                            mode == EntityMode::sync_to_remote_server ||
                            mode == EntityMode::sync_to_local;
  // NtpStratum is 1..16; ntpd's 0 (unspecified) is 16 here as it is on the wire to clients.
  const auto stratum = number(sys, "stratum").value_or(16);
  put(oid::stratum, unsigned32(synchronised ? std::max<std::int64_t>(stratum, 1) : 16));
  const AssociationReadout* peer = synchronised ? system_peer(daemon) : nullptr;
  put(oid::active_source_id, unsigned32(peer ? peer->id : 0));
  put(oid::active_source_name, text(peer ? association_name(*peer) : std::string{}));
  put(oid::active_offset, text(milliseconds(sys, "offset")));
  put(oid::source_count, unsigned32(static_cast<std::int64_t>(daemon.associations.size())));
  put(oid::dispersion, text(milliseconds(sys, "rootdisp")));
  put(oid::uptime, {MibValue::Type::timeticks, number(sys, "ss_uptime").value_or(0) * 100, {}});

  const auto clock = hex_timestamp(value(sys, "clock"));
  std::optional<std::int64_t> now;
  if (clock) now = full_ntp_seconds(clock->first);
  put(oid::date_time, text(now ? ntp_date(*now, clock->second) : std::string{}));
  const auto leap = number(sys, "leap").value_or(0);
  const int direction = leap == 1 ? 1 : leap == 2 ? -1 : 0;
  put(oid::leap_second,
      text(direction != 0 && now ? ntp_date(end_of_month(*now), 0) : std::string{}));
  put(oid::leap_direction, integer(direction));
  put(oid::in_packets, counter(number(sys, "ss_received").value_or(0)));
  put(oid::out_packets, counter(number(sys, "io_sent").value_or(0)));
  put(oid::bad_version, counter(number(sys, "ss_badversion").value_or(0)));
  put(oid::protocol_error, counter(number(sys, "ss_badformat").value_or(0)));

  for (const AssociationReadout& a : daemon.associations) {
    const VariableList& v = a.variables;
    auto cell = [&](std::uint32_t table, std::uint32_t column, MibValue x) {
      mib[ntp_mib_oid({1, 3, table, 1, column, a.id})] = std::move(x);
    };
    cell(1, oid::assoc_name, text(association_name(a)));
    cell(1, oid::assoc_refid, text(value(v, "refid")));
    int type = 0;
    std::string address = address_bytes(value(v, "srcadr"), type);
    cell(1, oid::assoc_address_type, integer(type));
    cell(1, oid::assoc_address, text(std::move(address)));
    cell(1, oid::assoc_offset, text(milliseconds(v, "offset")));
    cell(1, oid::assoc_stratum,
         unsigned32(std::max<std::int64_t>(
             1, std::min<std::int64_t>(16, number(v, "stratum").value_or(16)))));
    cell(1, oid::assoc_jitter, text(milliseconds(v, "jitter")));
    cell(1, oid::assoc_delay, text(milliseconds(v, "delay")));
    cell(1, oid::assoc_dispersion, text(milliseconds(v, "dispersion")));
    // Packet counts exist for network associations only; a reference clock exchanges none.
    if (const auto received = number(v, "received")) {
      cell(2, oid::stat_in, counter(*received));
      cell(2, oid::stat_out, counter(number(v, "sent").value_or(0)));
      cell(2, oid::stat_protocol_error,
           counter(number(v, "bogusorg").value_or(0) + number(v, "badauth").value_or(0) +
                   number(v, "refused").value_or(0)));
    }
  }
  return mib;
}

std::string notification_bits(std::uint32_t heartbeat_seconds) {
  // BITS: bit 0 is the first octet's most significant bit. 1 mode, 2 stratum, 3 system peer,
  // 4 association added, 5 removed, 7 leap second; 6 (configuration changed) is never sent: the
  // daemon's mode 6 answers do not say when it reloaded.
  std::string bits(2, '\0');
  bits[0] = static_cast<char>(0x40 | 0x20 | 0x10 | 0x08 | 0x04 | 0x01);
  if (heartbeat_seconds > 0) bits[1] = static_cast<char>(0x80);
  return bits;
}

std::vector<Notification> notifications_between(const MibValues& before, const MibValues& after) {
  std::vector<Notification> out;
  if (before.empty()) return out;
  const MibValue date = find(after, oid::date_time).value_or(text(""));
  auto message = [](std::string s) { return std::pair{ntp_mib_oid(oid::notif_message), text(s)}; };
  const auto mode_before = find(before, oid::current_mode),
             mode_after = find(after, oid::current_mode);
  if (mode_before && mode_after && mode_before->number != mode_after->number) {
    out.push_back({ntp_notification::mode_change, {{ntp_mib_oid(oid::current_mode), *mode_after}}});
  }
  const auto stratum_before = find(before, oid::stratum), stratum_after = find(after, oid::stratum);
  if (stratum_before && stratum_after && stratum_before->number != stratum_after->number) {
    out.push_back({ntp_notification::stratum_change,
                   {{ntp_mib_oid(oid::date_time), date},
                    {ntp_mib_oid(oid::stratum), *stratum_after},
                    message("stratum " + std::to_string(stratum_before->number) + " -> " +
                            std::to_string(stratum_after->number))}});
  }
  const auto peer_before = find(before, oid::active_source_id),
             peer_after = find(after, oid::active_source_id);
  if (peer_before && peer_after && peer_before->number != peer_after->number) {
    const auto name = find(after, oid::active_source_name).value_or(text(""));
    out.push_back(
        {ntp_notification::syspeer_changed,
         {{ntp_mib_oid(oid::date_time), date},
          {ntp_mib_oid(oid::active_source_id), *peer_after},
          message(name.octets.empty() ? "no system peer" : "system peer " + name.octets)}});
  }
  const auto names_before = association_names(before), names_after = association_names(after);
  for (const auto& [id, name] : names_after) {
    if (names_before.count(id)) continue;
    out.push_back({ntp_notification::add_association,
                   {{ntp_mib_oid(oid::date_time), date},
                    {ntp_mib_oid({1, 3, 1, 1, oid::assoc_name, id}), text(name)},
                    message("association " + std::to_string(id) + " added: " + name)}});
  }
  for (const auto& [id, name] : names_before) {
    if (names_after.count(id)) continue;
    out.push_back({ntp_notification::remove_association,
                   {{ntp_mib_oid(oid::date_time), date},
                    {ntp_mib_oid({1, 3, 1, 1, oid::assoc_name, id}), text(name)},
                    message("association " + std::to_string(id) + " removed: " + name)}});
  }
  const auto leap_before = find(before, oid::leap_direction),
             leap_after = find(after, oid::leap_direction);
  if (leap_after && leap_after->number != 0 && (!leap_before || leap_before->number == 0)) {
    out.push_back({ntp_notification::leap_second_announced,
                   {{ntp_mib_oid(oid::date_time), date},
                    message(leap_after->number > 0 ? "leap second to be inserted"
                                                   : "leap second to be deleted")}});
  }
  return out;
}

Notification heartbeat(const MibValues& now) {
  return {ntp_notification::heartbeat,
          {{ntp_mib_oid(oid::date_time), find(now, oid::date_time).value_or(text(""))},
           {ntp_mib_oid(oid::current_mode), find(now, oid::current_mode).value_or(integer(1))},
           {ntp_mib_oid(oid::heartbeat_interval),
            find(now, oid::heartbeat_interval).value_or(unsigned32(0))},
           {ntp_mib_oid(oid::notif_message), text("heartbeat")}}};
}

}  // namespace stratumd
