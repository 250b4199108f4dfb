// The daemon's associations with other NTP hosts: upstream servers (client mode), symmetric peers
// (configured active ones, and passive ones mobilised by a calling peer unless `restrict nopeer`),
// broadcast clients (one per broadcaster heard, with `broadcastclient`/`multicastclient`) and our
// own broadcasts. After each new sample they are described to the system process
// (firmware/ntp/system_process.hpp), which decides who steers.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "drivers/net/association_inbox.hpp"
#include "drivers/net/broadcast_client.hpp"
#include "drivers/net/broadcast_server.hpp"
#include "drivers/net/host_resolver.hpp"
#include "drivers/net/manycast_client.hpp"
#include "drivers/net/symmetric_peer.hpp"
#include "drivers/net/upstream_association.hpp"
#include "drivers/os/event_loop.hpp"
#include "firmware/config/association_diff.hpp"
#include "firmware/config/ntp_conf_parser.hpp"
#include "firmware/control/control_variables.hpp"
#include "firmware/ntp/system_process.hpp"

namespace stratumd {

class NetworkSources {
 public:
  struct Hooks {
    // The reference clock, for the sanity check and the decision to steer.
    std::function<ReferenceClockState()> reference;
    // Steer the clock by this combined offset from the network.
    std::function<void(const NetworkSteer&)> steer;
    std::function<void(const std::string&)> log;
    std::function<const AuthSettings&()> keys;  // the keys in force
    SnapshotSource snapshot;                    // what we send as a time source
    PortSender send_from_port;                  // the server's port-123 socket
    std::function<std::string(const IpAddress&)> join_multicast;
    std::function<void(int)> set_multicast_ttl;
    // This host's addresses: a source whose refid is one of them follows us (a timing loop).
    std::function<std::vector<IpAddress>()> local_addresses;
  };

  // Watches `inbox` (packets for peers and broadcast clients) on the loop.
  NetworkSources(EventLoop& loop, const Clock& clock, const DaemonConfig& config,
                 std::int8_t precision, AssociationInbox& inbox, SystemProcess& system,
                 Hooks hooks);
  ~NetworkSources();

  // The local clock was stepped by `step`: every association's samples move with it, and the
  // selection's judgements made on the old clock are forgotten.
  void clock_stepped(Nanoseconds step);
  // A reload: the associations of removed lines stop (their state is forgotten), those of added
  // lines start, and those of kept lines take their new options with their samples, reach and
  // association ids kept.
  void reconcile(const DaemonConfig& next, const AssociationDiff& diff);
  // The keys in force were replaced (a reload): what they need is set up now, not at the first
  // packet signed with them.
  void keys_changed();
  std::vector<UpstreamReport> reports() const;
  // The MACs the associations checked and made (ntpq authinfo counts them with the server's).
  MacCounters mac_counters() const { return mac_.counters(); }
  // Any upstream server, pool, peer or broadcast/manycast client is configured.
  bool configured() const;
  // Reruns the selection now (a reference clock sample arrived while the clock is not set yet:
  // it is judged against the network before it may step the clock).
  void reselect() { update(); }

 private:
  // The associations one configuration line asks for (a named one once resolved).
  void add_line(const AssociationLine& line);
  void remove_line(const AssociationLine& line);
  void change_line(const AssociationChange& change);
  // An association leaves: the selection forgets it, and its association id is not reused.
  void forget(const NetworkAssociation& association);
  std::uint16_t association_id(const NetworkAssociation& association) const;
  void update();
  void on_inbound(const InboundPacket& packet);
  void mobilise_passive(const InboundPacket& packet);
  void hear_broadcast(const InboundPacket& packet);
  // A host we have no line for is heard only when it authenticates with a trusted key (`enable
  // auth`); logs the first refusal.
  bool heard_unknown_host(const InboundPacket& packet, const ParsedPacket& parsed, const char* what,
                          bool& said, std::uint32_t* key_id);
  void sweep();
  void refresh_local_refids();
  std::vector<const NetworkAssociation*> associations() const;
  // `server NAME`, `peer NAME` and `pool NAME`: resolved in the background; a pool keeps up to
  // kPoolMembers of its addresses and replaces members that stop answering.
  struct NamedLine {
    AssociationLine line;
    std::unique_ptr<HostResolver> resolver;
    std::vector<IpAddress> dropped;  // pool members let go: not taken again
  };
  void resolve(NamedLine& named);
  void resolved(NamedLine& named, const std::vector<IpAddress>& addresses);
  bool in_use(const IpAddress& address) const;
  std::size_t members_of(const AssociationLine& line) const;
  // Drops the members of a pool or manycast line that stopped answering; true when any went.
  bool drop_dead_members(const AssociationLine& line, std::vector<IpAddress>* dropped);
  void add_server(const AssociationLine& line, const IpAddress& address);
  // Joins multicast groups on the server port; `said` prefixes each group joined in the log.
  void join_groups(const std::vector<std::string>& groups, const std::string& said);

  EventLoop& loop_;
  AssociationInbox& inbox_;
  SystemProcess& system_;
  double broadcast_delay_;
  std::optional<AssociationLine> broadcast_client_line_;
  Hooks hooks_;
  MacEngine mac_;
  SystemRandom random_;  // the associations' nonces: unpredictable off the path
  AssociationContext context_;
  std::vector<std::unique_ptr<NamedLine>> named_;
  std::vector<std::unique_ptr<UpstreamAssociation>> servers_;
  std::vector<std::unique_ptr<SymmetricPeer>> peers_;
  std::vector<std::unique_ptr<BroadcastClient>> broadcast_clients_;
  std::vector<std::unique_ptr<BroadcastServer>> broadcasts_;
  std::vector<std::unique_ptr<ManycastClient>> manycasts_;
  // ntpq's association ids: given when first reported, kept while the association lives (1 is the
  // reference clock's).
  mutable std::map<std::uintptr_t, std::uint16_t> association_ids_;
  mutable std::uint16_t next_association_id_ = 2;
  bool said_peer_refused_ = false;
  bool said_broadcast_refused_ = false;
};

}  // namespace stratumd
