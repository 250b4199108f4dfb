// What NTP's interleaved mode needs a server to remember: for each recent reply, the receive
// timestamp it carried (a client in interleaved mode echoes it as the origin of its next request)
// and when that reply really left (known only after the send: the kernel's transmit stamp).
//
// Shared by the worker threads, because a client's successive requests may reach different
// workers (a new source port per request spreads them over SO_REUSEPORT sockets). No lock ever
// waits: a writer that finds its slot busy gives up, and a reader that meets a write in progress
// finds nothing; either way that client gets one basic reply instead of an interleaved one.
// Fixed size, allocated once: a flood of requests only evicts entries, as a cache would.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include "firmware/time/ntp_timestamp.hpp"

namespace stratumd {

class InterleavedTimestamps {
 public:
  // 2^capacity_log2 slots of 24 bytes (4096: 96 KiB).
  explicit InterleavedTimestamps(unsigned capacity_log2 = 12);

  // A reply carrying `receive` left at (about) `transmit`. A zero `receive` is not remembered.
  void remember(NtpTimestamp receive, NtpTimestamp transmit);
  // The kernel's transmit stamp of the reply that carried `receive`; false when it is no longer
  // remembered (evicted by another reply) or its slot was busy.
  bool refine(NtpTimestamp receive, NtpTimestamp transmit);
  // When the reply that carried `receive` left, if remembered.
  std::optional<NtpTimestamp> transmit_for(NtpTimestamp receive) const;

 private:
  struct Slot {
    std::atomic<std::uint32_t> sequence{0};  // odd while a writer holds the slot
    std::atomic<std::uint64_t> receive{0};
    std::atomic<std::uint64_t> transmit{0};
  };
  Slot& slot_for(NtpTimestamp receive) const;
  // Takes the slot for writing; false when another writer has it.
  static bool try_lock(Slot& slot, std::uint32_t& sequence);

  std::unique_ptr<Slot[]> slots_;
  std::uint64_t mask_;
  unsigned shift_;
};

}  // namespace stratumd
