// Kernel transmit timestamps (SO_TIMESTAMPING, software stamps): when a reply really left, taken
// by the kernel as the packet went to the device, rather than the clock read before sendmsg().
// The kernel loops each stamped packet back on the socket's error queue with its stamp; the
// packet itself says which reply it was.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include <sys/socket.h>

#include "firmware/time/time_types.hpp"

namespace stratumd {

// Lets `fd` report software transmit stamps; each datagram that wants one asks for it with a
// control message (SCM_TIMESTAMPING carrying SOF_TIMESTAMPING_TX_SOFTWARE). False where the kernel
// (or an emulator such as qemu-user) does not offer them: replies then keep the clock read before
// the send.
bool enable_transmit_stamp_reports(int fd);
// What a datagram's SCM_TIMESTAMPING control message carries to ask for its transmit stamp.
extern const int kTransmitStampRequest;

struct LoopedTransmit {
  bool stamped = false;  // false: not a usable stamp (an ICMP error, a frame that cannot be parsed)
  KernelRealtime sent{};
  std::span<const std::uint8_t> payload;  // the datagram as sent (within the message's buffer)
};

// One message read from a socket's error queue (recvmsg or recvmmsg with MSG_ERRQUEUE; `length`
// bytes of frame in its first iovec: the packet with its link, IP and UDP headers, 256 bytes hold
// any NTP reply; 256 bytes of control data hold the stamp and the error).
LoopedTransmit parse_transmit_stamp(const msghdr& message, std::size_t length);

// The UDP payload of a looped-back frame: Ethernet then IPv4 or IPv6 then UDP, or a bare IP
// packet (interfaces without a link header). Empty when it is none of these.
std::span<const std::uint8_t> udp_payload_of_frame(std::span<const std::uint8_t> frame);

}  // namespace stratumd
