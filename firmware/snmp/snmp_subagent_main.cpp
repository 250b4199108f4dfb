// stratumd-snmp: the NTPv4-MIB (RFC 5907) for Debian's snmpd, as an AgentX subagent. It reads the
// daemon through mode 6 on the loopback, as ntpq does, so the daemon keeps its own sandbox and
// system call list; once a second it refreshes the values and sends the notifications a change
// calls for. Enabled by `snmp agentx` in the daemon's configuration (the unit's ExecCondition runs
// `stratumd-snmp --enabled`).
// net-snmp's headers must come in this order (the config first).
// clang-format off
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
// clang-format on

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "firmware/command_line.hpp"
#include "firmware/config/ntp_conf_parser.hpp"
#include "firmware/snmp/daemon_query.hpp"
#include "firmware/snmp/ntp_mib.hpp"

namespace {

using namespace stratumd;

constexpr const char* kUsage =
    "usage: stratumd-snmp [-c CONFIG] [--server ADDRESS] [--port N] [--enabled]\n"
    "  Serves the NTPv4-MIB (RFC 5907) to snmpd over AgentX, from the daemon's mode 6 answers.\n"
    "  -c CONFIG         the daemon's configuration (default: /etc/stratumd/ntp.conf, then\n"
    "                    /etc/ntp.conf); its `snmp agentx [SOCKET] [heartbeat SECONDS]` line\n"
    "  --server ADDRESS  where the daemon answers mode 6 (default 127.0.0.1)\n"
    "  --port N          its NTP port (default 123)\n"
    "  --enabled         exit 0 if the configuration has an `snmp` line, 1 if not\n";

volatile std::sig_atomic_t stop_requested = 0;

struct Agent {
  DaemonQuery* daemon = nullptr;
  AgentState state;
  MibValues values;
  std::string said_problem;
  long seconds_since_heartbeat = 0;
};
Agent agent;

std::vector<oid> to_net_snmp(const Oid& o) {
  return {o.begin(), o.end()};
}

void set_value(netsnmp_variable_list* vb, const MibValue& v) {
  switch (v.type) {
    case MibValue::Type::octets:
      snmp_set_var_typed_value(vb, ASN_OCTET_STR, v.octets.data(), v.octets.size());
      return;
    case MibValue::Type::integer: {
      const long n = static_cast<long>(v.number);
      snmp_set_var_typed_value(vb, ASN_INTEGER, &n, sizeof n);
      return;
    }
    case MibValue::Type::unsigned32:
    case MibValue::Type::counter32:
    case MibValue::Type::timeticks: {
      // Counter32 wraps as the MIB's counters do; the others are within 32 bits.
      const u_long n = static_cast<u_long>(static_cast<std::uint64_t>(v.number) & 0xFFFFFFFFu);
      const u_char type = v.type == MibValue::Type::unsigned32  ? ASN_UNSIGNED
                          : v.type == MibValue::Type::counter32 ? ASN_COUNTER
                                                                : ASN_TIMETICKS;
      snmp_set_var_typed_value(vb, type, &n, sizeof n);
      return;
    }
  }
}

int serve(netsnmp_mib_handler*, netsnmp_handler_registration*, netsnmp_agent_request_info* info,
          netsnmp_request_info* requests) {
  for (netsnmp_request_info* r = requests; r != nullptr; r = r->next) {
    const Oid asked(r->requestvb->name, r->requestvb->name + r->requestvb->name_length);
    if (info->mode == MODE_GET) {
      const auto it = agent.values.find(asked);
      if (it == agent.values.end()) {
        netsnmp_set_request_error(info, r, SNMP_NOSUCHINSTANCE);
      } else {
        set_value(r->requestvb, it->second);
      }
    } else if (info->mode == MODE_GETNEXT) {
      const auto it = agent.values.upper_bound(asked);
      // Past the last value the varbind stays as it is: the master asks the next subtree.
      if (it == agent.values.end()) continue;
      const auto name = to_net_snmp(it->first);
      snmp_set_var_objid(r->requestvb, name.data(), name.size());
      set_value(r->requestvb, it->second);
    } else {
      netsnmp_set_request_error(info, r, SNMP_ERR_NOTWRITABLE);
    }
  }
  return SNMP_ERR_NOERROR;
}

void send_notification(const Notification& n) {
  static const std::vector<oid> trap_oid_name{1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0};  // snmpTrapOID.0
  const auto trap = to_net_snmp(ntp_mib_oid({0, n.number}));
  netsnmp_variable_list* vars = nullptr;
  snmp_varlist_add_variable(&vars, trap_oid_name.data(), trap_oid_name.size(), ASN_OBJECT_ID,
                            trap.data(), trap.size() * sizeof(oid));
  for (const auto& [name, value] : n.objects) {
    const auto o = to_net_snmp(name);
    netsnmp_variable_list* vb =
        snmp_varlist_add_variable(&vars, o.data(), o.size(), ASN_NULL, nullptr, 0);
    if (vb != nullptr) set_value(vb, value);
  }
  send_v2trap(vars);
  snmp_free_varbind(vars);
  ++agent.state.notifications_sent;
}

void refresh(unsigned int, void*) {
  const DaemonReadout readout = agent.daemon->read();
  if (!readout.answered && agent.said_problem != agent.daemon->problem()) {
    snmp_log(LOG_WARNING, "stratumd-snmp: the daemon is not answering: %s\n",
             agent.daemon->problem().c_str());
  } else if (readout.answered && !agent.said_problem.empty()) {
    snmp_log(LOG_INFO, "stratumd-snmp: the daemon answers again\n");
  }
  agent.said_problem = readout.answered ? std::string{} : agent.daemon->problem();
  MibValues next = build_ntp_mib(readout, agent.state);
  for (const Notification& n : notifications_between(agent.values, next)) send_notification(n);
  if (agent.state.heartbeat_seconds > 0 &&
      ++agent.seconds_since_heartbeat >= static_cast<long>(agent.state.heartbeat_seconds)) {
    agent.seconds_since_heartbeat = 0;
    send_notification(heartbeat(next));
  }
  // The notification count moved with what was just sent.
  agent.values = build_ntp_mib(readout, agent.state);
}

std::optional<std::string> read_text(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

int main(int argc, char** argv) {
  std::optional<std::string> config_path;
  std::string server = "127.0.0.1";
  int port = 123;
  bool check_enabled = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if ((arg == "-c" || arg == "--config") && has_value) {
      config_path = argv[++i];
    } else if (arg == "--server" && has_value) {
      server = argv[++i];
    } else if (arg == "--port" && has_value) {
      port = std::atoi(argv[++i]);
    } else if (arg == "--enabled") {
      check_enabled = true;
    } else if (arg == "-h" || arg == "--help") {
      std::cout << kUsage;
      return 0;
    } else {
      std::cerr << "stratumd-snmp: unknown or incomplete option '" << arg << "'\n" << kUsage;
      return 2;
    }
  }
  if (port < 1 || port > 65535) {
    std::cerr << "stratumd-snmp: --port takes 1 to 65535\n";
    return 2;
  }
  if (!config_path) {
    config_path =
        find_default_config([](const std::string& p) { return read_text(p).has_value(); });
  }
  if (!config_path) {
    std::cerr << "stratumd-snmp: no configuration (" << kDefaultConfigFiles[0] << " or "
              << kDefaultConfigFiles[1] << "); SNMP is off without an `snmp agentx` line\n";
    return 1;
  }
  const DaemonConfig config = parse_ntp_conf(*config_path, read_text);
  if (!config.snmp) {
    std::cerr << "stratumd-snmp: " << *config_path
              << " has no `snmp agentx` line: SNMP is off (add `snmp agentx` to turn it on)\n";
    return 1;
  }
  if (check_enabled) return 0;

  std::optional<DaemonQuery> daemon;
  try {
    daemon.emplace(server, static_cast<std::uint16_t>(port), std::chrono::milliseconds{500});
  } catch (const std::exception& e) {
    std::cerr << "stratumd-snmp: --server: " << e.what() << '\n';
    return 2;
  }
  agent.daemon = &*daemon;
  agent.state.heartbeat_seconds = config.snmp->heartbeat_seconds;

  snmp_enable_stderrlog();
  // It serves numbers and reads no MIB files: none loaded, whatever snmp.conf says.
  ::setenv("MIBS", "", 1);
  netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_ROLE, 1);
  // Nothing to persist (no writable object), and the account may write nowhere: net-snmp would
  // otherwise try /var/lib/snmp at every exit.
  netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
  netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
  netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
  if (!config.snmp->agentx_socket.empty()) {
    netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_X_SOCKET,
                          config.snmp->agentx_socket.c_str());
  }
  // Reconnect to a restarted snmpd every 5 s rather than ending.
  netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL, 5);
  init_agent("stratumd-snmp");
  refresh(0, nullptr);
  const auto root = to_net_snmp(kNtpMibRoot);
  netsnmp_handler_registration* registration = netsnmp_create_handler_registration(
      "ntpv4-mib", serve, root.data(), root.size(), HANDLER_CAN_RONLY);
  if (registration == nullptr || netsnmp_register_handler(registration) != MIB_REGISTERED_OK) {
    std::cerr << "stratumd-snmp: cannot register 1.3.6.1.2.1.197 with the agent library\n";
    return 1;
  }
  init_snmp("stratumd-snmp");
  snmp_alarm_register(1, SA_REPEAT, refresh, nullptr);
  std::signal(SIGTERM, [](int) { stop_requested = 1; });
  std::signal(SIGINT, [](int) { stop_requested = 1; });
  snmp_log(LOG_INFO, "stratumd-snmp: serving the NTPv4-MIB for the daemon at %s port %d (%s)\n",
           server.c_str(), port, config_path->c_str());
  while (stop_requested == 0) agent_check_and_process(1);
  snmp_shutdown("stratumd-snmp");
  return 0;
}
