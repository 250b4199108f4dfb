#include "drivers/net/transmit_stamps.hpp"

#include <linux/errqueue.h>
#include <linux/net_tstamp.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

namespace stratumd {
namespace {

constexpr std::size_t kEthernetHeader = 14;
constexpr std::size_t kIpv6Header = 40;
constexpr std::size_t kUdpHeader = 8;
constexpr std::uint8_t kUdp = 17;

unsigned be16(std::span<const std::uint8_t> bytes, std::size_t at) {
  return (unsigned{bytes[at]} << 8) | bytes[at + 1];
}

// Where the IP header starts, or -1: an Ethernet header whose type agrees with the version of
// what follows it, else a bare IP packet.
long ip_header_at(std::span<const std::uint8_t> f) {
  const auto version_at = [&](std::size_t at) { return f.size() > at ? f[at] >> 4 : 0; };
  if (f.size() > kEthernetHeader) {
    const unsigned type = be16(f, 12);
    if ((type == 0x0800 && version_at(kEthernetHeader) == 4) ||
        (type == 0x86DD && version_at(kEthernetHeader) == 6)) {
      return kEthernetHeader;
    }
  }
  const unsigned version = version_at(0);
  return version == 4 || version == 6 ? 0 : -1;
}

}  // namespace

const int kTransmitStampRequest = SOF_TIMESTAMPING_TX_SOFTWARE;

bool enable_transmit_stamp_reports(int fd) {
  const int flags = SOF_TIMESTAMPING_SOFTWARE;
  return ::setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &flags, sizeof flags) == 0;
}

std::span<const std::uint8_t> udp_payload_of_frame(std::span<const std::uint8_t> f) {
  const long ip = ip_header_at(f);
  if (ip < 0) return {};
  const auto at = static_cast<std::size_t>(ip);
  std::size_t udp = 0;
  if (f[at] >> 4 == 4) {
    const std::size_t header = std::size_t{f[at] & 0xFu} * 4;
    if (header < 20 || f.size() < at + header || f[at + 9] != kUdp) return {};
    udp = at + header;
  } else {
    if (f.size() < at + kIpv6Header || f[at + 6] != kUdp) return {};
    udp = at + kIpv6Header;
  }
  if (f.size() < udp + kUdpHeader) return {};
  const std::size_t length = be16(f, udp + 4);
  if (length < kUdpHeader || f.size() < udp + length) return {};
  return f.subspan(udp + kUdpHeader, length - kUdpHeader);
}

LoopedTransmit parse_transmit_stamp(const msghdr& message, std::size_t length) {
  LoopedTransmit looped;
  bool stamped = false;
  bool sent = false;
  auto& readable = const_cast<msghdr&>(message);  // CMSG_NXTHDR takes a non-const header
  for (cmsghdr* c = CMSG_FIRSTHDR(&readable); c; c = CMSG_NXTHDR(&readable, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPING) {
      scm_timestamping stamps{};
      std::memcpy(&stamps, CMSG_DATA(c), sizeof stamps);
      const timespec& software = stamps.ts[0];
      stamped = software.tv_sec != 0 || software.tv_nsec != 0;
      looped.sent = KernelRealtime{
          Nanoseconds{std::int64_t{software.tv_sec} * 1'000'000'000 + software.tv_nsec}};
    } else if ((c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) ||
               (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR)) {
      sock_extended_err error{};
      std::memcpy(&error, CMSG_DATA(c), sizeof error);
      // Only the stamp taken as the packet went to the device; not the scheduler's or an ACK's.
      sent = error.ee_origin == SO_EE_ORIGIN_TIMESTAMPING && error.ee_info == SCM_TSTAMP_SND;
    }
  }
  if (!stamped || !sent || message.msg_iovlen < 1) return looped;
  const std::span<const std::uint8_t> frame(
      static_cast<const std::uint8_t*>(message.msg_iov[0].iov_base),
      std::min(length, message.msg_iov[0].iov_len));
  looped.payload = udp_payload_of_frame(frame);
  looped.stamped = !looped.payload.empty();
  return looped;
}

}  // namespace stratumd
