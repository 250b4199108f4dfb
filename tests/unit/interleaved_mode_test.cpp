// Interleaved mode on the server side: the table of receive/transmit timestamps shared by the
// workers (the responder's choice between a basic and an interleaved reply: responder_test).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "firmware/ntp/interleaved_timestamps.hpp"

namespace stratumd {
namespace {

constexpr std::int64_t kNs = 1'000'000'000;
const UtcTime kNow{Nanoseconds{1'790'000'000 * kNs + 250'000'000}};
const NtpTimestamp kEarlierReceive = NtpTimestamp::from_utc(kNow - std::chrono::seconds{1});
const NtpTimestamp kEarlierTransmit =
    NtpTimestamp::from_utc(kNow - std::chrono::seconds{1} + std::chrono::microseconds{7});

TEST(InterleavedTimestamps, RemembersAReplyAndTheKernelStampReplacesTheEstimate) {
  InterleavedTimestamps table;
  EXPECT_FALSE(table.transmit_for(kEarlierReceive));
  table.remember(kEarlierReceive, kEarlierTransmit);
  EXPECT_EQ(table.transmit_for(kEarlierReceive), kEarlierTransmit);
  const NtpTimestamp kernel{kEarlierTransmit.raw() + 12345};
  EXPECT_TRUE(table.refine(kEarlierReceive, kernel));
  EXPECT_EQ(table.transmit_for(kEarlierReceive), kernel);
  EXPECT_FALSE(table.transmit_for(NtpTimestamp{kEarlierReceive.raw() + 1}));
}

TEST(InterleavedTimestamps, ZeroNamesNoReply) {
  InterleavedTimestamps table;
  table.remember(NtpTimestamp{}, kEarlierTransmit);
  EXPECT_FALSE(table.transmit_for(NtpTimestamp{}));
  EXPECT_FALSE(table.refine(NtpTimestamp{}, kEarlierTransmit));
}

TEST(InterleavedTimestamps, AnEvictedReplyIsForgottenNotConfused) {
  InterleavedTimestamps table(0);  // one slot: every reply evicts the one before
  const NtpTimestamp later{kEarlierReceive.raw() + 999};
  table.remember(kEarlierReceive, kEarlierTransmit);
  table.remember(later, NtpTimestamp{kEarlierTransmit.raw() + 999});
  EXPECT_FALSE(table.transmit_for(kEarlierReceive));
  // A late kernel stamp for the evicted reply must not land on the one that replaced it.
  EXPECT_FALSE(table.refine(kEarlierReceive, NtpTimestamp{1}));
  EXPECT_EQ(table.transmit_for(later), NtpTimestamp{kEarlierTransmit.raw() + 999});
}

// Writers on two threads fill and refine the same few slots while a reader looks entries up:
// whatever it finds must be the transmit time written with that receive time, never a mix.
TEST(InterleavedTimestamps, ConcurrentWritersNeverPairATransmitWithAnotherReply) {
  InterleavedTimestamps table(2);
  const auto transmit_of = [](std::uint64_t receive) { return NtpTimestamp{receive * 3 + 1}; };
  std::atomic<int> writing{2};
  std::uint64_t found = 0;
  std::uint64_t mismatched = 0;
  const auto read_all = [&] {
    for (std::uint64_t receive = 1; receive <= 130; ++receive) {
      if (const auto transmit = table.transmit_for(NtpTimestamp{receive})) {
        ++found;
        if (*transmit != NtpTimestamp{0} && *transmit != transmit_of(receive)) ++mismatched;
      }
    }
  };
  std::vector<std::thread> writers;
  for (std::uint64_t w = 0; w < 2; ++w) {
    writers.emplace_back([&, w] {
      for (std::uint64_t i = 1; i <= 100'000; ++i) {
        const std::uint64_t receive = (i % 64) * 2 + w + 1;
        table.remember(NtpTimestamp{receive}, NtpTimestamp{0});
        table.refine(NtpTimestamp{receive}, transmit_of(receive));
      }
      writing.fetch_sub(1);
    });
  }
  while (writing.load() > 0) read_all();
  for (auto& t : writers) t.join();
  read_all();  // the settled table: what the writers left must be found
  EXPECT_GT(found, 0u);
  EXPECT_EQ(mismatched, 0u);
}

}  // namespace
}  // namespace stratumd
