// The payload of a sent datagram as the kernel loops it back with its transmit stamp: behind an
// Ethernet header (loopback and most NICs) or bare (tunnels), over IPv4 or IPv6.
#include "drivers/net/transmit_stamps.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace stratumd {
namespace {

std::vector<std::uint8_t> udp(std::size_t payload_length) {
  std::vector<std::uint8_t> u = {0x00, 0x7B, 0x9C, 0x40, 0, 0, 0, 0};
  const std::size_t length = 8 + payload_length;
  u[4] = static_cast<std::uint8_t>(length >> 8);
  u[5] = static_cast<std::uint8_t>(length);
  for (std::size_t i = 0; i < payload_length; ++i) u.push_back(static_cast<std::uint8_t>(i + 1));
  return u;
}

std::vector<std::uint8_t> ipv4(const std::vector<std::uint8_t>& body, std::uint8_t protocol = 17) {
  std::vector<std::uint8_t> p = {0x45, 0, 0,   0, 0, 0, 0x40, 0, 64, protocol,
                                 0,    0, 127, 0, 0, 1, 127,  0, 0,  1};
  p.insert(p.end(), body.begin(), body.end());
  return p;
}

std::vector<std::uint8_t> ipv6(const std::vector<std::uint8_t>& body) {
  std::vector<std::uint8_t> p(40, 0);
  p[0] = 0x60;
  p[6] = 17;
  p.insert(p.end(), body.begin(), body.end());
  return p;
}

std::vector<std::uint8_t> ethernet(std::uint16_t type, const std::vector<std::uint8_t>& body) {
  std::vector<std::uint8_t> f(12, 0);
  f.push_back(static_cast<std::uint8_t>(type >> 8));
  f.push_back(static_cast<std::uint8_t>(type));
  f.insert(f.end(), body.begin(), body.end());
  return f;
}

void expect_payload(const std::vector<std::uint8_t>& frame, std::size_t length, const char* what) {
  const auto payload = udp_payload_of_frame(frame);
  ASSERT_EQ(payload.size(), length) << what;
  EXPECT_EQ(payload.front(), 1) << what;
  EXPECT_EQ(payload.back(), static_cast<std::uint8_t>(length)) << what;
}

TEST(TransmitStamps, FindsTheReplyInEveryFrameTheKernelLoopsBack) {
  expect_payload(ethernet(0x0800, ipv4(udp(48))), 48, "Ethernet, IPv4");
  expect_payload(ethernet(0x86DD, ipv6(udp(72))), 72, "Ethernet, IPv6");
  expect_payload(ipv4(udp(52)), 52, "bare IPv4");
  expect_payload(ipv6(udp(68)), 68, "bare IPv6");
}

TEST(TransmitStamps, RefusesWhatIsNotAWholeUdpDatagram) {
  EXPECT_TRUE(udp_payload_of_frame({}).empty());
  EXPECT_TRUE(udp_payload_of_frame(ethernet(0x0806, std::vector<std::uint8_t>(40, 0))).empty())
      << "ARP";
  EXPECT_TRUE(udp_payload_of_frame(ethernet(0x0800, ipv4(udp(48), 6))).empty()) << "TCP";
  auto truncated = ethernet(0x0800, ipv4(udp(48)));
  truncated.resize(truncated.size() - 1);
  EXPECT_TRUE(udp_payload_of_frame(truncated).empty()) << "shorter than its UDP length";
  auto bad_header = ipv4(udp(48));
  bad_header[0] = 0x42;  // IHL 2: shorter than an IPv4 header can be
  EXPECT_TRUE(udp_payload_of_frame(bad_header).empty());
}

}  // namespace
}  // namespace stratumd
