// ntpd's monitor, the table behind `ntpq mrulist`: who has sent this server packets, when first
// and last, how many, and what became of them. A fixed table per server worker (its memory is set
// at construction; a new client takes the least recently heard slot of its set), written only by
// that worker and read from any thread: each slot is a seqlock, so a reader sees whole entries.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>

#include "firmware/net/ip_address.hpp"
#include "firmware/time/ntp_timestamp.hpp"
#include "firmware/util/seqlock.hpp"

namespace stratumd {

// What happened to a client's packets, as ntpq's `rs` column shows it (ntpd's RES_ bits).
namespace monitor_mark {
inline constexpr std::uint16_t limited = 0x0020;  // ntpd RES_LIMITED: over the discard rate
inline constexpr std::uint16_t kissed = 0x0400;   // ntpd RES_KOD: sent a RATE kiss
}  // namespace monitor_mark

// NTP timestamps wrap (2036): ordered by their difference, as RFC 5905 compares them.
inline bool heard_before(NtpTimestamp a, NtpTimestamp b) {
  return static_cast<std::int64_t>(a.raw() - b.raw()) < 0;
}

struct MonitorEntry {
  std::array<std::uint8_t, 16> address{};
  NtpTimestamp first;  // served time of the first and the latest packet
  NtpTimestamp last;
  std::uint32_t count = 0;
  std::uint32_t drops = 0;  // packets not answered (restricted, rate limited, malformed)
  std::uint16_t port = 0;   // of the latest packet
  std::uint16_t marks = 0;  // monitor_mark bits, ever set for this client
  IpFamily family = IpFamily::v4;
  std::uint8_t mode_version = 0;  // ntpd's "mv": the latest packet's first byte without LI
  bool used = false;

  IpAddress ip() const { return IpAddress{family, address}; }
};

// How one packet was handled, for the entry's drops and marks.
enum class MonitorVerdict : std::uint8_t { answered, dropped, limited, kissed };

struct MonitorCounters {
  std::uint64_t existing = 0;  // packets from a client already in the table
  std::uint64_t fresh = 0;     // clients given an empty slot
  std::uint64_t recycled = 0;  // clients given the slot of one heard less recently
  std::uint64_t depth = 0;     // slots in use
};

class ClientMonitor {
 public:
  static constexpr std::size_t kWays = 4;
  explicit ClientMonitor(std::size_t capacity = 2048);

  // The owning worker only. `first_byte` is the packet's LI/version/mode byte.
  void record(const IpAddress& address, std::uint16_t port, NtpTimestamp at,
              std::uint8_t first_byte, MonitorVerdict verdict);

  // Any thread: `visit(const MonitorEntry&)` for every slot in use, each read whole.
  template <typename Visit>
  void for_each(Visit&& visit) const {
    for (std::size_t i = 0; i < capacity_; ++i) {
      const MonitorEntry e = slots_[i].load();
      if (e.used) visit(e);
    }
  }
  MonitorCounters counters() const;
  std::size_t capacity() const { return capacity_; }
  std::size_t memory_bytes() const { return capacity_ * sizeof(SeqLock<MonitorEntry>); }

 private:
  std::size_t capacity_;
  std::size_t set_mask_;
  std::unique_ptr<SeqLock<MonitorEntry>[]> slots_;
  // Single writer: relaxed loads and stores.
  std::atomic<std::uint64_t> existing_{0}, fresh_{0}, recycled_{0};
};

}  // namespace stratumd
