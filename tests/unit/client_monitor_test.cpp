#include "firmware/ntp/client_monitor.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "firmware/control/mru_list.hpp"
#include "firmware/util/siphash.hpp"

namespace stratumd {
namespace {

IpAddress address(std::uint32_t host_order) {
  return IpAddress::v4(host_order);
}
NtpTimestamp at_second(std::uint32_t s) {
  return NtpTimestamp{s, 0};
}
std::vector<MonitorEntry> entries_of(const ClientMonitor& monitor) {
  std::vector<MonitorEntry> out;
  monitor.for_each([&](const MonitorEntry& e) { out.push_back(e); });
  return out;
}

TEST(ClientMonitor, CountsFirstAndLastPerAddress) {
  ClientMonitor monitor(64);
  const IpAddress a = address(0xC0000201);
  monitor.record(a, 40000, at_second(100), 0x23, MonitorVerdict::answered);  // v4 client
  monitor.record(a, 40001, at_second(108), 0x1E, MonitorVerdict::answered);  // v3 mode 6
  monitor.record(address(0xC0000202), 123, at_second(105), 0x23, MonitorVerdict::dropped);
  const auto all = entries_of(monitor);
  ASSERT_EQ(all.size(), 2u);
  const MonitorEntry& e = all[0].ip() == a ? all[0] : all[1];
  EXPECT_EQ(e.count, 2u);
  EXPECT_EQ(e.first, at_second(100));
  EXPECT_EQ(e.last, at_second(108));
  EXPECT_EQ(e.port, 40001);  // the latest packet's
  EXPECT_EQ(e.mode_version, 0x1E);
  EXPECT_EQ(e.drops, 0u);
  const MonitorEntry& other = all[0].ip() == a ? all[1] : all[0];
  EXPECT_EQ(other.drops, 1u);
  const MonitorCounters c = monitor.counters();
  EXPECT_EQ(c.fresh, 2u);
  EXPECT_EQ(c.existing, 1u);
  EXPECT_EQ(c.depth, 2u);
}

TEST(ClientMonitor, MarksWhatHappenedAsNtpdsRestrictBits) {
  ClientMonitor monitor(64);
  const IpAddress a = address(0x0A000001);
  monitor.record(a, 1, at_second(1), 0x23, MonitorVerdict::limited);
  auto e = entries_of(monitor).at(0);
  EXPECT_EQ(e.marks, monitor_mark::limited);
  EXPECT_EQ(e.drops, 1u);
  monitor.record(a, 1, at_second(2), 0x23, MonitorVerdict::kissed);
  e = entries_of(monitor).at(0);
  EXPECT_EQ(e.marks, monitor_mark::limited | monitor_mark::kissed);
  EXPECT_EQ(e.drops, 1u);  // a kiss is an answer
}

TEST(ClientMonitor, AFloodKeepsMemoryFlatAndEvictsTheLeastRecentlyHeard) {
  ClientMonitor monitor(256);
  const IpAddress regular = address(0xC0A80001);
  for (std::uint32_t i = 0; i < 100000; ++i) {
    monitor.record(address(0x0A000000 + i), 123, at_second(1000 + i), 0x23,
                   MonitorVerdict::answered);
    // A client that keeps polling is never the least recently heard of its set.
    if (i % 2 == 0)
      monitor.record(regular, 123, at_second(1000 + i), 0x23, MonitorVerdict::answered);
  }
  const auto all = entries_of(monitor);
  EXPECT_EQ(all.size(), monitor.capacity());
  bool regular_kept = false;
  for (const MonitorEntry& e : all) regular_kept = regular_kept || e.ip() == regular;
  EXPECT_TRUE(regular_kept);
  EXPECT_GT(monitor.counters().recycled, 90000u);
}

// A reader on another thread sees whole entries only: every field written from one number.
TEST(ClientMonitor, ReadersOnOtherThreadsSeeWholeEntries) {
  ClientMonitor monitor(16);
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (std::uint32_t i = 1; i < 200000; ++i) {
      monitor.record(address(0x0A000000 + (i % 8)), static_cast<std::uint16_t>(i), at_second(i),
                     0x23, MonitorVerdict::answered);
    }
    done = true;
  });
  std::size_t checked = 0;
  while (!done) {
    monitor.for_each([&](const MonitorEntry& e) {
      ASSERT_EQ(e.last.seconds() & 0xFFFF, e.port);
      ASSERT_EQ(e.last.seconds() % 8, e.address[3]);
      ++checked;
    });
  }
  writer.join();
  EXPECT_GT(checked, 0u);
}

TEST(MruList, OneClientSeenByTwoWorkersIsOneEntry) {
  MonitorEntry a;
  a.address = address(0x0A000001).bytes;
  a.used = true;
  a.first = at_second(10);
  a.last = at_second(50);
  a.count = 3;
  a.port = 1000;
  MonitorEntry b = a;
  b.first = at_second(5);
  b.last = at_second(60);
  b.count = 4;
  b.drops = 1;
  b.port = 2000;
  b.marks = monitor_mark::limited;
  MonitorEntry c = a;
  c.address = address(0x0A000002).bytes;
  c.last = at_second(55);
  std::vector<MonitorEntry> entries{a, c, b};
  ASSERT_EQ(merge_oldest_first(entries), 2u);
  EXPECT_EQ(entries[0].ip(), address(0x0A000002));  // heard at 55, before 60
  EXPECT_EQ(entries[1].count, 7u);
  EXPECT_EQ(entries[1].first, at_second(5));
  EXPECT_EQ(entries[1].last, at_second(60));
  EXPECT_EQ(entries[1].port, 2000);
  EXPECT_EQ(entries[1].drops, 1u);
  EXPECT_EQ(entries[1].marks, monitor_mark::limited);
}

TEST(SipHash, ReferenceVector) {
  // The reference implementation's test: key 00..0f, message 00..0e.
  SipKey key{0x0706050403020100ULL, 0x0F0E0D0C0B0A0908ULL};
  std::vector<std::uint8_t> message(15);
  for (std::size_t i = 0; i < message.size(); ++i) message[i] = static_cast<std::uint8_t>(i);
  EXPECT_EQ(siphash24(key, message), 0xa129ca6149be45e5ULL);
  EXPECT_EQ(siphash24(key, std::span<const std::uint8_t>()), 0x726fdb47dd0e0e31ULL);
}

}  // namespace
}  // namespace stratumd
