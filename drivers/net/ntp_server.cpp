#include "drivers/net/ntp_server.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace stratumd {

ServerCounters& ServerCounters::operator+=(const ServerCounters& other) {
  received += other.received;
  for (std::size_t i = 0; i < by_outcome.size(); ++i) by_outcome[i] += other.by_outcome[i];
  rate_table_evictions += other.rate_table_evictions;
  interleaved += other.interleaved;
  transmit_stamps += other.transmit_stamps;
  for (std::size_t i = 0; i < by_version.size(); ++i) {
    by_version[i] += other.by_version[i];
    version1_by_mode[i] += other.version1_by_mode[i];
  }
  return *this;
}

NtpServer::NtpServer(const ServerSetup& setup, const WorkerShared& shared) {
  for (const ListenEndpoint& e : setup.endpoints) check_port_free(e, setup.port);
  for (int i = 0; i < setup.threads; ++i) {
    workers_.push_back(std::make_unique<NtpWorker>(shared, setup.endpoints, setup.port));
  }
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
