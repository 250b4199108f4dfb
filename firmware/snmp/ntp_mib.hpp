// The NTPv4-MIB (RFC 5907, 1.3.6.1.2.1.197) as values: built from what the daemon answers in
// mode 6, so `snmpwalk` and `ntpq rv` read the same numbers, and the notifications a change
// between two readouts calls for. Pure: the subagent (snmp_subagent.cpp) only serves and sends
// what this computes.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "firmware/snmp/daemon_readout.hpp"

namespace stratumd {

using Oid = std::vector<std::uint32_t>;

struct MibValue {
  enum class Type { integer, unsigned32, counter32, timeticks, octets };
  Type type = Type::integer;
  std::int64_t number = 0;
  std::string octets;  // DisplayString text, or raw bytes (addresses, NTP dates, BITS)
};

using MibValues = std::map<Oid, MibValue>;

inline const Oid kNtpMibRoot{1, 3, 6, 1, 2, 1, 197};
Oid ntp_mib_oid(std::initializer_list<std::uint32_t> tail);

// ntpEntStatusCurrentMode's values.
enum class EntityMode : int {
  not_running = 1,
  not_synchronized = 2,
  none_configured = 3,
  sync_to_local = 4,
  sync_to_refclock = 5,
  sync_to_remote_server = 6,
};
const char* entity_mode_name(EntityMode mode);

// The ntpEntNotif* numbers (1.3.6.1.2.1.197.0.N), and their bits in ntpEntNotifBits.
namespace ntp_notification {
inline constexpr std::uint32_t mode_change = 1;
inline constexpr std::uint32_t stratum_change = 2;
inline constexpr std::uint32_t syspeer_changed = 3;
inline constexpr std::uint32_t add_association = 4;
inline constexpr std::uint32_t remove_association = 5;
inline constexpr std::uint32_t leap_second_announced = 7;
inline constexpr std::uint32_t heartbeat = 8;
}  // namespace ntp_notification

struct AgentState {
  std::uint32_t heartbeat_seconds = 0;  // 0: no heartbeat
  std::uint64_t notifications_sent = 0;
};

// Every object of the MIB this agent serves, keyed by its full instance OID.
MibValues build_ntp_mib(const DaemonReadout& daemon, const AgentState& agent);

EntityMode entity_mode(const DaemonReadout& daemon);

struct Notification {
  std::uint32_t number = 0;  // ntp_notification::…
  std::vector<std::pair<Oid, MibValue>> objects;
};

// What changed from `before` to `after` (both from build_ntp_mib): mode, stratum, system peer,
// associations added or removed, a leap second newly announced. Nothing when `before` is empty
// (the first readout: there is no change to tell).
std::vector<Notification> notifications_between(const MibValues& before, const MibValues& after);

// ntpEntNotifHeartbeat from the current values.
Notification heartbeat(const MibValues& now);

// ntpEntNotifBits: the notifications this agent sends (heartbeat only with an interval).
std::string notification_bits(std::uint32_t heartbeat_seconds);

}  // namespace stratumd
