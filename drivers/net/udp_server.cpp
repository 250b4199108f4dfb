#include "drivers/net/udp_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "drivers/clock/kernel_clocks.hpp"

namespace stratumd {
namespace {

std::string bind_failure_message(int error, std::uint16_t port, const char* family) {
  const std::string where = "UDP port " + std::to_string(port) + " (" + family + ")";
  if (error == EADDRINUSE) {
    return where +
           " is already in use: another NTP daemon (chronyd, ntpd) is probably running. "
           "Stop it (e.g. 'systemctl stop chrony ntp ntpsec') or start stratumd with "
           "--port N.";
  }
  if (error == EACCES) {
    return "binding " + where +
           " needs root or CAP_NET_BIND_SERVICE: run as root, or use "
           "--port N with N >= 1024.";
  }
  return "cannot bind " + where + ": " + std::strerror(error);
}

void enable(int fd, int level, int option, const char* what) {
  const int on = 1;
  if (::setsockopt(fd, level, option, &on, sizeof on) != 0) throw_errno(what);
}

UniqueFd open_socket(int family, std::uint16_t port) {
  UniqueFd fd{::socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)};
  if (!fd.valid()) {
    if (family == AF_INET6 && (errno == EAFNOSUPPORT || errno == EPROTONOSUPPORT)) return {};
    throw_errno("socket");
  }
  enable(fd.get(), SOL_SOCKET, SO_TIMESTAMPNS, "setsockopt(SO_TIMESTAMPNS)");
  sockaddr_storage address{};
  socklen_t length = 0;
  if (family == AF_INET) {
    enable(fd.get(), IPPROTO_IP, IP_PKTINFO, "setsockopt(IP_PKTINFO)");
    auto* a = reinterpret_cast<sockaddr_in*>(&address);
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    a->sin_addr.s_addr = htonl(INADDR_ANY);
    length = sizeof *a;
  } else {
    enable(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, "setsockopt(IPV6_V6ONLY)");
    enable(fd.get(), IPPROTO_IPV6, IPV6_RECVPKTINFO, "setsockopt(IPV6_RECVPKTINFO)");
    auto* a = reinterpret_cast<sockaddr_in6*>(&address);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    a->sin6_addr = in6addr_any;
    length = sizeof *a;
  }
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), length) != 0) {
    const int error = errno;
    // A host without IPv6 configured still serves IPv4.
    if (family == AF_INET6 && error == EADDRNOTAVAIL) return {};
    throw BindError(bind_failure_message(error, port, family == AF_INET ? "IPv4" : "IPv6"));
  }
  return fd;
}

// Reads the served clock the way the main thread's clock would, from the published model.
class SnapshotTransmitClock final : public TransmitClock {
 public:
  SnapshotTransmitClock(const ClockModel& model, const RawTimebase& timebase)
      : model_(model), timebase_(timebase) {}
  UtcTime transmit_now() const override { return model_.utc_at(timebase_.raw_now()); }

 private:
  const ClockModel& model_;
  const RawTimebase& timebase_;
};

}  // namespace

UdpServer::UdpServer(UdpServerConfig config, const SeqLock<ClockSnapshot>& snapshot,
                     const RawTimebase& timebase, ServerPolicy policy)
    : config_(config), snapshot_(snapshot), timebase_(timebase), policy_(policy) {
  socket4_ = open_socket(AF_INET, config_.port);
  if (config_.ipv6) socket6_ = open_socket(AF_INET6, config_.port);
  stop_event_ = UniqueFd{::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)};
  if (!stop_event_.valid()) throw_errno("eventfd");
}

UdpServer::~UdpServer() {
  stop();
}

void UdpServer::start() {
  thread_ = std::thread([this] { run(); });
}

void UdpServer::stop() {
  if (!thread_.joinable()) return;
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto written = ::write(stop_event_.get(), &one, sizeof one);
  thread_.join();
}

ServerCounters UdpServer::counters() const {
  ServerCounters c;
  c.received = received_.load(std::memory_order_relaxed);
  for (std::size_t i = 0; i < outcomes_.size(); ++i) {
    c.by_outcome[i] = outcomes_[i].load(std::memory_order_relaxed);
  }
  return c;
}

void UdpServer::run() {
  std::array<pollfd, 3> fds{};
  nfds_t count = 0;
  fds[count++] = {stop_event_.get(), POLLIN, 0};
  fds[count++] = {socket4_.get(), POLLIN, 0};
  if (socket6_.valid()) fds[count++] = {socket6_.get(), POLLIN, 0};
  for (;;) {
    if (::poll(fds.data(), count, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[0].revents) return;
    for (nfds_t i = 1; i < count; ++i) {
      if (fds[i].revents & POLLIN) drain(fds[i].fd);
    }
  }
}

void UdpServer::drain(int fd) {
  std::array<std::uint8_t, kMaxNtpPacketSize + 1> request{};
  std::array<std::uint8_t, kNtpHeaderSize + 4> reply{};
  alignas(cmsghdr) std::array<char, 256> control{};
  for (;;) {
    sockaddr_storage peer{};
    iovec iov{request.data(), request.size()};
    msghdr msg{};
    msg.msg_name = &peer;
    msg.msg_namelen = sizeof peer;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.data();
    msg.msg_controllen = control.size();
    const ssize_t n = ::recvmsg(fd, &msg, 0);
    if (n < 0) return;  // EAGAIN: drained
    const KernelRealtime read_realtime = kernel_realtime_now();
    const ClockSnapshot snapshot = snapshot_.load();
    const UtcTime served_now = snapshot.model.utc_at(timebase_.raw_now());
    received_.fetch_add(1, std::memory_order_relaxed);

    // The kernel stamped arrival on CLOCK_REALTIME; carry it onto the served clock by the
    // interval since then (microseconds, so the two clocks' rate difference is negligible).
    KernelRealtime kernel_rx = read_realtime;
    alignas(cmsghdr) std::array<char, 64> reply_control{};
    msghdr out{};
    out.msg_name = &peer;
    out.msg_namelen = msg.msg_namelen;
    std::size_t reply_control_length = 0;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
        timespec ts{};
        std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
        kernel_rx =
            KernelRealtime{Nanoseconds{std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec}};
      } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
        // Answer from the address the request was sent to (multi-homed hosts).
        in_pktinfo info{};
        std::memcpy(&info, CMSG_DATA(c), sizeof info);
        info.ipi_ifindex = 0;
        info.ipi_spec_dst = info.ipi_addr;
        auto* oc = reinterpret_cast<cmsghdr*>(reply_control.data());
        oc->cmsg_level = IPPROTO_IP;
        oc->cmsg_type = IP_PKTINFO;
        oc->cmsg_len = CMSG_LEN(sizeof info);
        std::memcpy(CMSG_DATA(oc), &info, sizeof info);
        reply_control_length = CMSG_SPACE(sizeof info);
      } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
        in6_pktinfo info{};
        std::memcpy(&info, CMSG_DATA(c), sizeof info);
        info.ipi6_ifindex = 0;
        auto* oc = reinterpret_cast<cmsghdr*>(reply_control.data());
        oc->cmsg_level = IPPROTO_IPV6;
        oc->cmsg_type = IPV6_PKTINFO;
        oc->cmsg_len = CMSG_LEN(sizeof info);
        std::memcpy(CMSG_DATA(oc), &info, sizeof info);
        reply_control_length = CMSG_SPACE(sizeof info);
      }
    }
    const UtcTime receive_time = served_now - (read_realtime - kernel_rx);

    const SnapshotTransmitClock transmit_clock(snapshot.model, timebase_);
    const Response response = respond(std::span(request.data(), static_cast<std::size_t>(n)),
                                      receive_time, snapshot, policy_, transmit_clock, reply);
    outcomes_[static_cast<std::size_t>(response.outcome)].fetch_add(1, std::memory_order_relaxed);
    if (response.outcome != RequestOutcome::answered) continue;

    iovec reply_iov{reply.data(), response.length};
    out.msg_iov = &reply_iov;
    out.msg_iovlen = 1;
    if (reply_control_length) {
      out.msg_control = reply_control.data();
      out.msg_controllen = reply_control_length;
    }
    ::sendmsg(fd, &out, 0);
  }
}

}  // namespace stratumd
