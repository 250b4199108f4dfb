#include "drivers/net/client_socket.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include "drivers/clock/kernel_clocks.hpp"
#include "drivers/net/udp_socket.hpp"
#include "firmware/ntp/ntp_packet.hpp"

namespace stratumd {

ClientSocket::ClientSocket(EventLoop& loop, const Clock& clock, const SocketAddress& destination,
                           Received received, Kind kind)
    : loop_(loop), clock_(clock), received_(std::move(received)), destination_(destination) {
  sockaddr_storage address{};
  const socklen_t length = destination.to_sockaddr(address);
  fd_ = open_udp_socket(address.ss_family, "socket (NTP client)");
  const int on = 1;
  ::setsockopt(fd_.get(), SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
  if (kind == Kind::server) {
    if (::connect(fd_.get(), reinterpret_cast<const sockaddr*>(&address), length) != 0) {
      throw std::runtime_error(destination.ip.to_string() + ": " + std::strerror(errno));
    }
    connected_ = true;
  }
  loop_.watch_readable(fd_.get(), [this] { receive(); });
}

ClientSocket::~ClientSocket() {
  loop_.unwatch(fd_.get());
}

bool ClientSocket::send(std::span<const std::uint8_t> bytes) const {
  if (connected_) {
    // No address on a connected socket (a simulator refuses one with EISCONN).
    return ::send(fd_.get(), bytes.data(), bytes.size(), 0) == static_cast<ssize_t>(bytes.size());
  }
  sockaddr_storage address{};
  const socklen_t length = destination_.to_sockaddr(address);
  return ::sendto(fd_.get(), bytes.data(), bytes.size(), 0,
                  reinterpret_cast<const sockaddr*>(&address),
                  length) == static_cast<ssize_t>(bytes.size());
}

void ClientSocket::set_multicast_ttl(int ttl) const {
  if (destination_.ip.family == IpFamily::v4) {
    ::setsockopt(fd_.get(), IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl);
  } else {
    ::setsockopt(fd_.get(), IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &ttl, sizeof ttl);
  }
}

void ClientSocket::receive() {
  std::array<std::uint8_t, kMaxNtpPacketSize> buffer{};
  std::array<char, CMSG_SPACE(sizeof(timespec))> control{};
  // Under a simulator a second read may take the datagram meant for another socket: one read
  // per readiness there, poll() says when there is more.
  const bool one_read = loop_.backend() == IoBackend::poll;
  for (;;) {
    iovec iov{buffer.data(), buffer.size()};
    sockaddr_storage peer{};
    msghdr message{};
    message.msg_name = &peer;
    message.msg_namelen = sizeof peer;
    message.msg_iov = &iov;
    message.msg_iovlen = 1;
    message.msg_control = control.data();
    message.msg_controllen = control.size();
    const ssize_t n = ::recvmsg(fd_.get(), &message, 0);
    if (n <= 0) return;
    // T4: the kernel's receive stamp carried onto our clock by its age.
    UtcTime t4 = clock_.now();
    for (cmsghdr* c = CMSG_FIRSTHDR(&message); c; c = CMSG_NXTHDR(&message, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
        timespec ts{};
        std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
        const KernelRealtime stamp{
            Nanoseconds{std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec}};
        t4 = served_at(stamp, t4, kernel_realtime_now());
      }
    }
    received_(std::span<const std::uint8_t>(buffer.data(), static_cast<std::size_t>(n)), t4,
              SocketAddress::from_sockaddr(reinterpret_cast<const sockaddr*>(&peer)));
    if (one_read) return;
  }
}

}  // namespace stratumd
