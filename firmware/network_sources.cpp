#include "firmware/network_sources.hpp"

#include <algorithm>

#include "firmware/ntp/reference_id.hpp"
#include "firmware/ntp/restrict_table.hpp"

namespace stratumd {
namespace {

// Spoofed calls must not exhaust us: at most this many passive peers and broadcasters.
constexpr std::size_t kMaxEphemeral = 16;
// Servers a `pool` line keeps (ntpd fills up to `tos maxclock`, 10, across all pools).
constexpr std::size_t kPoolMembers = 4;
// A pool member this many polls without an answer is replaced.
constexpr int kPoolUnanswered = 8;
constexpr std::chrono::seconds kSweepInterval{8};

// Associations made from one configuration line (a pool's members) share its host and role,
// wherever a reload moved the line.
bool from_line(const NetworkAssociation& association, const AssociationLine& line) {
  return same_association(association.config(), line);
}

std::uintptr_t id_of(const NetworkAssociation& association) {
  return reinterpret_cast<std::uintptr_t>(&association);
}

}  // namespace

NetworkSources::NetworkSources(EventLoop& loop, const Clock& clock, const DaemonConfig& config,
                               std::int8_t precision, AssociationInbox& inbox,
                               SystemProcess& system, Hooks hooks)
    : loop_(loop),
      inbox_(inbox),
      system_(system),
      broadcast_delay_(config.broadcast_delay),
      hooks_(std::move(hooks)),
      context_{{precision, hooks_.keys, mac_, random_, hooks_.log, config.discipline.auth_required},
               loop,
               clock,
               [this] { update(); }} {
  for (const AssociationLine& line : config.associations) {
    try {
      add_line(line);
    } catch (const std::exception& e) {
      hooks_.log(std::string("warning: ") + e.what());
    }
  }
  if (broadcast_client_line_ && hooks_.keys().trusted.empty()) {
    hooks_.log(context_.auth_required
                   ? "warning: broadcast client without trusted keys: every broadcast is refused "
                     "(enable auth); declare keys and trustedkey"
                   : "warning: broadcast client without trusted keys and with disable auth: "
                     "anyone on the LAN can set our time; declare keys and trustedkey");
  }
  mac_.prepare(hooks_.keys());
  refresh_local_refids();
  const auto drain = [this] { inbox_.drain([this](const InboundPacket& p) { on_inbound(p); }); };
  if (loop_.backend() == IoBackend::poll) {
    // Same thread as the server: drained right after the packet is served.
    inbox_.notify_with([this, drain] { loop_.call_after(Nanoseconds{0}, drain, this); });
  } else {
    loop_.watch_readable(inbox_.event_fd(), drain);
  }
  loop_.call_after(
      kSweepInterval, [this] { sweep(); }, this);
}

NetworkSources::~NetworkSources() {
  inbox_.notify_with({});
  loop_.unwatch(inbox_.event_fd());
  loop_.cancel_timers(this);
}

void NetworkSources::add_line(const AssociationLine& line) {
  using Kind = AssociationLine::Kind;
  const auto address =
      line.addresses.empty() ? std::nullopt : IpAddress::parse(line.addresses.front());
  if ((line.kind == Kind::server || line.kind == Kind::peer || line.kind == Kind::pool) &&
      (!address || line.kind == Kind::pool)) {
    named_.push_back(std::make_unique<NamedLine>(NamedLine{line, nullptr, {}}));
    resolve(*named_.back());
    return;
  }
  switch (line.kind) {
    case Kind::server:
    case Kind::peer:
      if (line.kind == Kind::server) {
        add_server(line, *address);
      } else {
        peers_.push_back(std::make_unique<SymmetricPeer>(context_, line,
                                                         SocketAddress{*address, 123}, true,
                                                         hooks_.send_from_port, hooks_.snapshot));
        peers_.back()->start();
      }
      break;
    case Kind::broadcast:
      if (!address) break;
      if (line.ttl > 0) hooks_.set_multicast_ttl(line.ttl);
      broadcasts_.push_back(std::make_unique<BroadcastServer>(
          context_, line, SocketAddress{*address, 123}, hooks_.send_from_port, hooks_.snapshot));
      broadcasts_.back()->start();
      break;
    case Kind::multicastclient:
      join_groups(line.addresses.empty() ? std::vector<std::string>{"224.0.1.1"} : line.addresses,
                  "multicastclient: listening to ");
      broadcast_client_line_ = line;
      break;
    case Kind::broadcastclient:
      broadcast_client_line_ = line;
      break;
    case Kind::pool:
      break;  // resolved above
    case Kind::manycastserver:
      join_groups(line.addresses, "manycastserver: answering on ");
      break;
    case Kind::manycastclient: {
      if (!address) {
        hooks_.log("warning: manycastclient " + line.addresses.front() +
                   ": needs a multicast group address");
        break;
      }
      manycasts_.push_back(std::make_unique<ManycastClient>(
          context_, line, SocketAddress{*address, 123}, kPoolMembers,
          [this](const AssociationLine& own) { return members_of(own); },
          [this](const AssociationLine& own, const IpAddress& server) {
            if (in_use(server)) return;
            hooks_.log("manycastclient " + own.addresses.front() + ": found server " +
                       server.to_string());
            add_server(own, server);
          }));
      manycasts_.back()->start();
      break;
    }
  }
}

void NetworkSources::reconcile(const DaemonConfig& next, const AssociationDiff& diff) {
  context_.auth_required = next.discipline.auth_required;
  broadcast_delay_ = next.broadcast_delay;
  for (const AssociationLine& line : diff.removed) remove_line(line);
  for (const AssociationChange& change : diff.kept) change_line(change);
  for (const AssociationLine& line : diff.added) {
    try {
      add_line(line);
    } catch (const std::exception& e) {
      hooks_.log(std::string("warning: ") + e.what());
    }
  }
  update();
}

void NetworkSources::remove_line(const AssociationLine& line) {
  const auto leaves = [&](const auto& association) {
    if (!from_line(*association, line)) return false;
    forget(*association);
    return true;
  };
  std::erase_if(servers_, leaves);
  std::erase_if(peers_, leaves);
  std::erase_if(named_, [&](const auto& named) { return same_association(named->line, line); });
  std::erase_if(broadcasts_, [&](const auto& b) { return same_association(b->config(), line); });
  std::erase_if(manycasts_, [&](const auto& m) { return same_association(m->config(), line); });
  if (line.kind == AssociationLine::Kind::broadcastclient) {
    broadcast_client_line_.reset();
    for (const auto& client : broadcast_clients_) forget(*client);
    broadcast_clients_.clear();
  }
}

// Servers and peers take the new options in place; a broadcast or manycast line with new options
// starts again (it keeps no samples).
void NetworkSources::change_line(const AssociationChange& change) {
  for (const auto& a : servers_) {
    if (from_line(*a, change.running)) a->reconfigure(change.next);
  }
  for (const auto& a : peers_) {
    if (from_line(*a, change.running)) a->reconfigure(change.next);
  }
  for (const auto& named : named_) {
    if (same_association(named->line, change.running)) named->line = change.next;
  }
  if (change.next.kind == AssociationLine::Kind::broadcastclient) {
    broadcast_client_line_ = change.next;
  }
  if (!change.what.empty() && (change.next.kind == AssociationLine::Kind::broadcast ||
                               change.next.kind == AssociationLine::Kind::manycastclient)) {
    remove_line(change.running);
    add_line(change.next);
  }
}

void NetworkSources::forget(const NetworkAssociation& association) {
  system_.forget(id_of(association));
  association_ids_.erase(id_of(association));
}

std::uint16_t NetworkSources::association_id(const NetworkAssociation& association) const {
  const auto [it, fresh] = association_ids_.try_emplace(id_of(association), next_association_id_);
  if (fresh) next_association_id_ = next_association_id_ == 0xFFFF ? 2 : next_association_id_ + 1;
  return it->second;
}

void NetworkSources::join_groups(const std::vector<std::string>& groups, const std::string& said) {
  for (const std::string& group : groups) {
    const auto address = IpAddress::parse(group);
    const std::string error = address ? hooks_.join_multicast(*address) : "not an address";
    hooks_.log(error.empty() ? said + group : "warning: cannot join " + group + ": " + error);
  }
}

void NetworkSources::resolve(NamedLine& named) {
  // A fresh resolver each time (a pool asks again for replacements); the previous one is done.
  named.resolver = std::make_unique<HostResolver>(
      loop_, std::vector<std::string>{named.line.addresses.front()},
      [this, &named](const std::string&, const std::vector<IpAddress>& addresses) {
        resolved(named, addresses);
      },
      hooks_.log);
}

bool NetworkSources::in_use(const IpAddress& address) const {
  for (const auto& a : servers_) {
    if (a->status().source == address) return true;
  }
  for (const auto& p : peers_) {
    if (p->peer().ip == address) return true;
  }
  return false;
}

std::size_t NetworkSources::members_of(const AssociationLine& line) const {
  std::size_t members = 0;
  for (const NetworkAssociation* a : associations()) members += from_line(*a, line);
  return members;
}

bool NetworkSources::drop_dead_members(const AssociationLine& line,
                                       std::vector<IpAddress>* dropped) {
  const std::size_t before = servers_.size();
  std::erase_if(servers_, [&](const std::unique_ptr<UpstreamAssociation>& a) {
    if (!from_line(*a, line)) return false;
    if (a->unanswered() < kPoolUnanswered && !a->status().stopped) return false;
    hooks_.log(std::string(line.kind == AssociationLine::Kind::pool ? "pool " : "manycastclient ") +
               line.addresses.front() + ": dropping " + a->status().address +
               (a->status().stopped ? " (it refuses us)" : " (unreachable)"));
    if (dropped) dropped->push_back(a->status().source);
    forget(*a);
    return true;
  });
  return servers_.size() != before;
}

void NetworkSources::add_server(const AssociationLine& line, const IpAddress& address) {
  servers_.push_back(
      std::make_unique<UpstreamAssociation>(context_, line, SocketAddress{address, 123}));
  servers_.back()->start();
}

void NetworkSources::resolved(NamedLine& named, const std::vector<IpAddress>& addresses) {
  const AssociationLine& line = named.line;
  const std::string& name = line.addresses.front();
  std::size_t members = members_of(line);
  const std::size_t wanted = line.kind == AssociationLine::Kind::pool ? kPoolMembers : 1;
  std::string added;
  for (const IpAddress& address : addresses) {
    if (members >= wanted) break;
    if (line.family && address.family != *line.family) continue;
    if (in_use(address) ||
        std::find(named.dropped.begin(), named.dropped.end(), address) != named.dropped.end()) {
      continue;
    }
    try {
      if (line.kind == AssociationLine::Kind::peer) {
        peers_.push_back(std::make_unique<SymmetricPeer>(context_, line,
                                                         SocketAddress{address, 123}, true,
                                                         hooks_.send_from_port, hooks_.snapshot));
        peers_.back()->start();
      } else {
        add_server(line, address);
      }
      added += (added.empty() ? "" : ", ") + address.to_string();
      ++members;
    } catch (const std::exception& e) {
      hooks_.log(std::string("warning: ") + e.what());
    }
  }
  hooks_.log(std::string(line.kind == AssociationLine::Kind::pool   ? "pool "
                         : line.kind == AssociationLine::Kind::peer ? "peer "
                                                                    : "server ") +
             name + ": " + (added.empty() ? "no new address" : "using " + added));
}

std::vector<const NetworkAssociation*> NetworkSources::associations() const {
  std::vector<const NetworkAssociation*> all;
  for (const auto& a : servers_) all.push_back(a.get());
  for (const auto& a : peers_) all.push_back(a.get());
  for (const auto& a : broadcast_clients_) all.push_back(a.get());
  return all;
}

void NetworkSources::on_inbound(const InboundPacket& packet) {
  const auto mode = static_cast<NtpMode>(packet.bytes[0] & 0x7);
  if (mode == NtpMode::broadcast) {
    hear_broadcast(packet);
    return;
  }
  for (const auto& peer : peers_) {
    if (peer->peer().ip == packet.source.ip) {
      peer->on_packet(packet);
      return;
    }
  }
  if (mode == NtpMode::symmetric_active) mobilise_passive(packet);
  // A passive packet from a host we have no association with: dropped, as ntpd does.
}

bool NetworkSources::heard_unknown_host(const InboundPacket& packet, const ParsedPacket& parsed,
                                        const char* what, bool& said, std::uint32_t* key_id) {
  const PacketAuth auth = check_packet_mac(parsed, packet.data(), hooks_.keys(), mac_);
  const bool authenticated = auth.result == PacketAuth::Result::valid;
  if (key_id) *key_id = authenticated ? auth.key_id : 0;
  const char* refusal = nullptr;
  if (auth.result == PacketAuth::Result::bad || auth.result == PacketAuth::Result::crypto_nak) {
    refusal = "fails authentication";
  } else if ((packet.restrict_flags & restrict_flag::nopeer) && !authenticated) {
    refusal = "restrict nopeer";
  } else if (context_.auth_required && !authenticated) {
    refusal = "not authenticated with a trusted key; enable auth";
  }
  if (!refusal) return true;
  if (!said) {
    hooks_.log(std::string(what) + " " + packet.source.ip.to_string() + " refused (" + refusal +
               ")");
    said = true;
  }
  return false;
}

// ntpd's ephemeral symmetric passive association: an active peer calls, we answer as its peer,
// only when it authenticated with a trusted key (unless `disable auth`) and `restrict nopeer`
// does not forbid it.
void NetworkSources::mobilise_passive(const InboundPacket& packet) {
  const ParseResult parsed = parse_ntp_packet(packet.data());
  if (parsed.status != ParseStatus::ok) return;
  std::uint32_t key_id = 0;
  if (!heard_unknown_host(packet, parsed.packet, "symmetric peer", said_peer_refused_, &key_id)) {
    return;
  }
  const bool authenticated = key_id != 0;
  std::size_t passive = 0;
  for (const auto& p : peers_) passive += p->status().host_mode == kHostModePassive;
  if (passive >= kMaxEphemeral) {
    if (!said_peer_refused_) {
      hooks_.log("symmetric peer " + packet.source.ip.to_string() +
                 " refused (too many passive peers)");
      said_peer_refused_ = true;
    }
    return;
  }
  AssociationLine line;
  line.kind = AssociationLine::Kind::peer;
  if (authenticated) line.key = key_id;
  line.version = parsed.packet.header.version;
  // The caller's poll sets ours (RFC 5905: symmetric peers poll at the lower of the two).
  line.minpoll = std::clamp<int>(parsed.packet.header.poll, 3, 6);
  hooks_.log("symmetric passive association with " + packet.source.ip.to_string() +
             (authenticated ? " (key " + std::to_string(key_id) + ")" : ""));
  peers_.push_back(std::make_unique<SymmetricPeer>(context_, line, packet.source, false,
                                                   hooks_.send_from_port, hooks_.snapshot));
  peers_.back()->on_packet(packet);
  peers_.back()->start();
}

void NetworkSources::hear_broadcast(const InboundPacket& packet) {
  if (!broadcast_client_line_) return;
  for (const auto& client : broadcast_clients_) {
    if (client->broadcaster() == packet.source.ip) {
      client->on_packet(packet);  // which checks (and counts) authentication itself
      return;
    }
  }
  const ParseResult parsed = parse_ntp_packet(packet.data());
  if (parsed.status != ParseStatus::ok ||
      !heard_unknown_host(packet, parsed.packet, "broadcaster", said_broadcast_refused_, nullptr)) {
    return;
  }
  if (broadcast_clients_.size() >= kMaxEphemeral) return;
  hooks_.log("broadcast client: hearing " + packet.source.ip.to_string());
  broadcast_clients_.push_back(std::make_unique<BroadcastClient>(context_, *broadcast_client_line_,
                                                                 packet.source, broadcast_delay_));
  broadcast_clients_.back()->on_packet(packet);
}

// Passive peers and broadcasters that went quiet are let go (their timers die with them); the
// local addresses are read again (interfaces come and go).
void NetworkSources::sweep() {
  refresh_local_refids();
  const auto gone = [this](const auto& association) {
    if (!association->expired()) return false;
    hooks_.log("association with " + association->status().address + " ended (unreachable)");
    forget(*association);
    return true;
  };
  const std::size_t before = peers_.size() + broadcast_clients_.size() + servers_.size();
  std::erase_if(peers_, gone);
  std::erase_if(broadcast_clients_, gone);
  // Pool and manycast members that stopped answering (or refuse us) make room for others: a pool
  // resolves its name again, a manycast client goes on soliciting.
  for (const auto& named : named_) {
    if (named->line.kind == AssociationLine::Kind::pool &&
        drop_dead_members(named->line, &named->dropped)) {
      resolve(*named);
    }
  }
  for (const auto& manycast : manycasts_) drop_dead_members(manycast->config(), nullptr);
  if (peers_.size() + broadcast_clients_.size() + servers_.size() != before) update();
  // Sources that went quiet leave no update behind: the majority is gone with them.
  const auto all = associations();
  if (std::none_of(all.begin(), all.end(),
                   [](const NetworkAssociation* a) { return a->status().usable(); }))
    system_.network_silent();
  loop_.call_after(
      kSweepInterval, [this] { sweep(); }, this);
}

void NetworkSources::refresh_local_refids() {
  if (!hooks_.local_addresses) return;
  std::vector<std::uint32_t> refids;
  for (const IpAddress& a : hooks_.local_addresses()) refids.push_back(reference_id_for(a));
  system_.set_local_refids(std::move(refids));
}

void NetworkSources::clock_stepped(Nanoseconds step) {
  for (const auto& a : servers_) a->clock_stepped(step);
  for (const auto& a : peers_) a->clock_stepped(step);
  for (const auto& a : broadcast_clients_) a->clock_stepped(step);
  system_.clock_stepped(step);
}

bool NetworkSources::configured() const {
  return !named_.empty() || !servers_.empty() || !peers_.empty() || broadcast_client_line_ ||
         !manycasts_.empty();
}

void NetworkSources::keys_changed() {
  mac_.prepare(hooks_.keys());
}

void NetworkSources::update() {
  std::vector<NetworkCandidate> network;
  for (const NetworkAssociation* a : associations()) {
    const UpstreamStatus& st = a->status();
    NetworkCandidate n;
    n.id = id_of(*a);
    n.role = st.host_mode == kHostModeClient            ? "upstream server"
             : st.host_mode == kHostModeBroadcastClient ? "broadcast server"
                                                        : "peer";
    n.address = st.address;
    n.selectable = st.usable() && !a->config().noselect;
    n.heard = st.answered() && !a->config().noselect;
    n.witness = (st.host_mode != kHostModePassive && st.host_mode != kHostModeBroadcastClient) ||
                st.key_id != 0;
    n.candidate = st.candidate();
    n.candidate.prefer = a->config().prefer;
    n.candidate.truechimer = a->config().truechimer;
    n.address_refid = reference_id_for(st.source);
    n.announced_refid = st.reference_id;
    n.root_delay = st.root_delay;
    n.root_dispersion = st.root_dispersion;
    if (st.filtered) {
      n.delay = st.filtered->chosen.delay;
      n.dispersion = st.filtered->dispersion;
      n.jitter = st.filtered->jitter;
      n.sample_distance = st.sample_distance();
      n.trend_offset = st.filtered->trend_offset;
      n.trend_slope = st.filtered->trend_slope;
      n.trend_residual = st.filtered->trend_residual;
      n.trend_at = st.filtered->trend_at;
    }
    n.latest = st.latest;
    n.latest_variance = st.latest_variance;
    network.push_back(n);
  }
  const std::optional<NetworkSteer> steer = system_.update(network, hooks_.reference());
  if (steer) hooks_.steer(*steer);
}

std::vector<UpstreamReport> NetworkSources::reports() const {
  std::vector<UpstreamReport> out;
  for (const NetworkAssociation* a : associations()) {
    const UpstreamStatus& st = a->status();
    UpstreamReport r;
    r.address = st.address;
    r.host_mode = st.host_mode;
    r.stratum = st.stratum;
    r.reference_id = st.reference_id;
    r.reach = st.reach;
    r.poll_log2 = st.poll_log2;
    r.peer_poll_log2 = st.peer_poll_log2;
    r.key_id = st.key_id;
    r.flash = st.flash;
    r.received = st.received;
    r.sent = st.sent;
    r.refused_duplicate = st.refused.duplicate;
    r.refused_bogus = st.refused.bogus_origin;
    r.refused_auth = st.refused.bad_auth;
    r.refused_other = st.refused.other;
    if (st.filtered) {
      r.offset = st.filtered->chosen.offset;
      r.delay = st.filtered->chosen.delay;
      r.dispersion = st.filtered->dispersion;
      r.jitter = st.filtered->jitter;
      r.last_sample = st.filtered->chosen.when;
    }
    if (st.latest) r.last_received = st.latest->when;
    r.selection = system_.tally_of(id_of(*a));
    r.association_id = association_id(*a);
    out.push_back(r);
  }
  return out;
}

}  // namespace stratumd
