#include "drivers/net/ntp_server.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <optional>

namespace stratumd {

ServerCounters& ServerCounters::operator+=(const ServerCounters& other) {
  received += other.received;
  for (std::size_t i = 0; i < by_outcome.size(); ++i) by_outcome[i] += other.by_outcome[i];
  rate_table_evictions += other.rate_table_evictions;
  sent += other.sent;
  send_failures += other.send_failures;
  interleaved += other.interleaved;
  transmit_stamps += other.transmit_stamps;
  for (std::size_t i = 0; i < by_version.size(); ++i) {
    by_version[i] += other.by_version[i];
    version1_by_mode[i] += other.version1_by_mode[i];
  }
  mac += other.mac;
  wakeups += other.wakeups;
  useful_wakeups += other.useful_wakeups;
  kernel_drops += other.kernel_drops;
  receive_buffers += other.receive_buffers;
  return *this;
}

NtpServer::NtpServer(const ServerSetup& setup, const WorkerShared& shared) {
  for (const ListenEndpoint& e : setup.endpoints) check_port_free(e, setup.port);
  monitors_.nonce_key = random_sip_key();
  for (int i = 0; i < setup.threads; ++i) {
    workers_.push_back(
        std::make_unique<NtpWorker>(shared, setup.endpoints, setup.port, &monitors_));
    monitors_.tables.push_back(&workers_.back()->monitor());
    monitors_.workers.push_back(workers_.back().get());
  }
}

MonitorStatistics NtpServer::monitor_statistics(NtpTimestamp now) const {
  MonitorStatistics m;
  std::optional<std::int64_t> oldest;  // the largest age, in NTP units
  for (const auto& worker : workers_) {
    const ClientMonitor& table = worker->monitor();
    const MonitorCounters c = table.counters();
    m.slots += table.capacity();
    m.sets += table.capacity() / ClientMonitor::kWays;
    m.slot_bytes = table.memory_bytes() / table.capacity();
    m.slots_in_use += c.depth;
    m.existing += c.existing;
    m.fresh += c.fresh;
    m.recycled += c.recycled;
    table.for_each([&](const MonitorEntry& e) {
      const auto age = static_cast<std::int64_t>(now.raw() - e.last.raw());
      if (!oldest || age > *oldest) oldest = age;
    });
  }
  // NTP's 32.32 fixed point to nanoseconds, without overflow for ages below 68 years.
  if (oldest) m.oldest_age = Nanoseconds{(std::max<std::int64_t>(*oldest, 0) >> 16) * 15625 >> 10};
  return m;
}

void NtpServer::start() {
  for (auto& worker : workers_) worker->start();
}

void NtpServer::serve_in(EventLoop& loop) {
  serving_loop_ = &loop;
  for (auto& worker : workers_) {
    const std::vector<int> fds = worker->socket_fds();
    for (std::size_t i = 0; i < fds.size(); ++i) {
      loop.watch_readable(fds[i], [w = worker.get(), i] { w->serve_ready(i); });
    }
  }
}

void NtpServer::stop() {
  if (serving_loop_) {
    for (auto& worker : workers_) {
      for (const int fd : worker->socket_fds()) serving_loop_->unwatch(fd);
    }
    serving_loop_ = nullptr;
  }
  for (auto& worker : workers_) worker->stop();
}

bool NtpServer::workers_progressed() {
  if (serving_loop_) return true;
  rounds_seen_.resize(workers_.size(), 0);
  bool all = true;
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    const std::uint64_t rounds = workers_[i]->rounds();
    all = all && rounds != rounds_seen_[i];
    rounds_seen_[i] = rounds;
  }
  return all;
}

bool NtpServer::kernel_receive_stamps() const {
  for (const auto& worker : workers_) {
    if (!worker->kernel_receive_stamps()) return false;
  }
  return true;
}

ServerCounters NtpServer::counters() const {
  ServerCounters total;
  for (const auto& worker : workers_) total += worker->counters();
  return total;
}

}  // namespace stratumd

namespace stratumd {

bool NtpServer::send_from_server_port(const SocketAddress& to,
                                      std::span<const std::uint8_t> bytes) const {
  if (workers_.empty()) return false;
  const int fd = workers_.front()->socket_for(to.ip.family);
  if (fd < 0) return false;
  sockaddr_storage address{};
  const socklen_t length = to.to_sockaddr(address);
  return ::sendto(fd, bytes.data(), bytes.size(), 0, reinterpret_cast<const sockaddr*>(&address),
                  length) == static_cast<ssize_t>(bytes.size());
}

std::string NtpServer::join_multicast(const IpAddress& group) const {
  if (workers_.empty()) return "no server socket";
  const int fd = workers_.front()->socket_for(group.family);
  if (fd < 0) return "no server socket for this address family";
  int result = 0;
  if (group.family == IpFamily::v4) {
    ip_mreqn request{};
    std::memcpy(&request.imr_multiaddr, group.bytes.data(), 4);
    result = ::setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &request, sizeof request);
  } else {
    ipv6_mreq request{};
    std::memcpy(&request.ipv6mr_multiaddr, group.bytes.data(), 16);
    result = ::setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &request, sizeof request);
  }
  return result == 0 ? std::string() : std::string(std::strerror(errno));
}

void NtpServer::set_multicast_ttl(int ttl) const {
  for (const auto& worker : workers_) {
    if (const int fd = worker->socket_for(IpFamily::v4); fd >= 0) {
      ::setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl);
    }
    if (const int fd = worker->socket_for(IpFamily::v6); fd >= 0) {
      ::setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &ttl, sizeof ttl);
    }
  }
}

}  // namespace stratumd
