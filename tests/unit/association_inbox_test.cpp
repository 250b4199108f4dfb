// The hand-over of symmetric and broadcast packets from the server threads to the main loop:
// order kept, the copies one broadcast leaves on every worker socket kept once, a full inbox
// dropping and counting, concurrent workers losing nothing that fits.
#include "drivers/net/association_inbox.hpp"

#include <gtest/gtest.h>
#include <poll.h>

#include <thread>
#include <vector>

namespace stratumd {
namespace {

SocketAddress from(std::uint32_t host) {
  return SocketAddress{IpAddress::v4(host), 123};
}

std::vector<std::uint8_t> packet(std::uint8_t tag) {
  std::vector<std::uint8_t> bytes(48, 0);
  bytes[0] = 0x25;  // version 4, mode 5
  bytes[47] = tag;
  return bytes;
}

bool readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 0) == 1;
}

TEST(AssociationInbox, DeliversInOrderAndWakesTheLoop) {
  AssociationInbox inbox(8);
  EXPECT_FALSE(readable(inbox.event_fd()));
  const UtcTime t{std::chrono::seconds{100}};
  for (std::uint8_t i = 1; i <= 3; ++i) ASSERT_TRUE(inbox.push(packet(i), from(i), t, i * 10u));
  EXPECT_TRUE(readable(inbox.event_fd()));
  std::vector<int> tags;
  inbox.drain([&](const InboundPacket& p) {
    tags.push_back(p.bytes[47]);
    EXPECT_EQ(p.length, 48u);
    EXPECT_EQ(p.restrict_flags, p.bytes[47] * 10u);
    EXPECT_EQ(p.source.ip, IpAddress::v4(p.bytes[47]));
  });
  EXPECT_EQ(tags, (std::vector<int>{1, 2, 3}));
  EXPECT_FALSE(readable(inbox.event_fd()));
}

TEST(AssociationInbox, OneBroadcastSeenByEveryWorkerIsKeptOnce) {
  AssociationInbox inbox(8);
  const UtcTime t{};
  ASSERT_TRUE(inbox.push(packet(1), from(1), t, 0));
  ASSERT_TRUE(inbox.push(packet(1), from(1), t, 0));  // the second worker's copy
  ASSERT_TRUE(inbox.push(packet(1), from(2), t, 0));  // same bytes, another sender: kept
  ASSERT_TRUE(inbox.push(packet(2), from(1), t, 0));
  int delivered = 0;
  inbox.drain([&](const InboundPacket&) { ++delivered; });
  EXPECT_EQ(delivered, 3);
}

TEST(AssociationInbox, AFullInboxDropsAndCountsAndOversizedIsRefused) {
  AssociationInbox inbox(4);
  const UtcTime t{};
  for (std::uint8_t i = 0; i < 4; ++i) ASSERT_TRUE(inbox.push(packet(i), from(1), t, 0));
  EXPECT_FALSE(inbox.push(packet(9), from(1), t, 0));
  EXPECT_EQ(inbox.overflows(), 1u);
  std::vector<std::uint8_t> huge(kMaxNtpPacketSize + 1, 0);
  EXPECT_FALSE(inbox.push(huge, from(1), t, 0));
  int delivered = 0;
  inbox.drain([&](const InboundPacket&) { ++delivered; });
  EXPECT_EQ(delivered, 4);
  EXPECT_TRUE(inbox.push(packet(9), from(1), t, 0)) << "room again after draining";
}

TEST(AssociationInbox, ConcurrentWorkersLoseNothingThatFits) {
  AssociationInbox inbox(1000);
  std::vector<std::thread> workers;
  for (std::uint32_t w = 0; w < 4; ++w) {
    workers.emplace_back([&inbox, w] {
      for (std::uint8_t i = 0; i < 200; ++i) inbox.push(packet(i), from(w + 1), UtcTime{}, 0);
    });
  }
  int delivered = 0;
  while (delivered < 800) {
    inbox.drain([&](const InboundPacket&) { ++delivered; });
    if (delivered < 800) std::this_thread::yield();
  }
  for (auto& t : workers) t.join();
  inbox.drain([&](const InboundPacket&) { ++delivered; });
  EXPECT_EQ(delivered, 800);
  EXPECT_EQ(inbox.overflows(), 0u);
}

}  // namespace
}  // namespace stratumd
