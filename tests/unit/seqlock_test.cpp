#include "firmware/util/seqlock.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace stratumd {
namespace {

struct Pair {
  std::int64_t a = 0;
  std::int64_t b = 0;
  std::int64_t c = 0;
};

TEST(SeqLock, StoresAndLoads) {
  SeqLock<Pair> lock;
  lock.store({1, 2, 3});
  const Pair p = lock.load();
  EXPECT_EQ(p.a, 1);
  EXPECT_EQ(p.b, 2);
  EXPECT_EQ(p.c, 3);
}

TEST(SeqLock, ReadersNeverSeeATornValue) {
  SeqLock<Pair> lock;
  std::atomic<bool> done{false};
  std::atomic<std::int64_t> torn{0};
  std::atomic<std::int64_t> reads{0};
  std::thread reader([&] {
    while (!done.load()) {
      const Pair p = lock.load();
      if (p.b != -p.a || p.c != p.a * 3) torn.fetch_add(1);
      reads.fetch_add(1);
    }
  });
  // Keep writing until the reader has overlapped many writes, however the threads get scheduled.
  for (std::int64_t i = 0; i < 2'000'000 || reads.load() < 100'000; ++i) lock.store({i, -i, 3 * i});
  done = true;
  reader.join();
  EXPECT_EQ(torn.load(), 0);
  EXPECT_GT(reads.load(), 0);
}

}  // namespace
}  // namespace stratumd
