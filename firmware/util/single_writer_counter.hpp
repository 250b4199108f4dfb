// Counters that one thread writes and others read: a relaxed load and store instead of a locked
// read-modify-write, which would cost on the packet path and buys nothing with a single writer.
#pragma once

#include <atomic>
#include <cstdint>

namespace stratumd {

inline void add_single_writer(std::atomic<std::uint64_t>& counter, std::uint64_t n = 1) {
  counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

}  // namespace stratumd
