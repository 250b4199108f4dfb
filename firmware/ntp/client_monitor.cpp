#include "firmware/ntp/client_monitor.hpp"

#include <algorithm>
#include <bit>

#include "firmware/util/single_writer_counter.hpp"

namespace stratumd {

ClientMonitor::ClientMonitor(std::size_t capacity)
    : capacity_(std::bit_ceil(std::max(capacity, kWays))),
      set_mask_(capacity_ / kWays - 1),
      slots_(std::make_unique<SeqLock<MonitorEntry>[]>(capacity_)) {}

void ClientMonitor::record(const IpAddress& address, std::uint16_t port, NtpTimestamp at,
                           std::uint8_t first_byte, MonitorVerdict verdict) {
  const std::size_t set = static_cast<std::size_t>(address_hash(address) & set_mask_) * kWays;
  std::size_t chosen = set;
  bool empty_slot = false;  // the chosen slot was never used
  NtpTimestamp chosen_last;
  MonitorEntry entry;
  bool found = false;
  for (std::size_t i = set; i < set + kWays && !found; ++i) {
    const MonitorEntry e = slots_[i].load();
    if (e.used && e.family == address.family && e.address == address.bytes) {
      chosen = i;
      entry = e;
      found = true;
    } else if (!e.used) {
      if (!empty_slot) chosen = i;
      empty_slot = true;
    } else if (!empty_slot && (i == set || heard_before(e.last, chosen_last))) {
      chosen = i;
      chosen_last = e.last;
    }
  }
  if (found) {
    add_single_writer(existing_);
  } else {
    add_single_writer(empty_slot ? fresh_ : recycled_);
    entry = MonitorEntry{};
    entry.address = address.bytes;
    entry.family = address.family;
    entry.first = at;
    entry.used = true;
  }
  entry.last = at;
  entry.port = port;
  entry.mode_version = static_cast<std::uint8_t>(first_byte & 0x3F);
  ++entry.count;
  if (verdict != MonitorVerdict::answered) ++entry.drops;
  if (verdict == MonitorVerdict::kissed) {
    --entry.drops;  // a kiss is an answer
    entry.marks |= monitor_mark::limited | monitor_mark::kissed;
  }
  if (verdict == MonitorVerdict::limited) entry.marks |= monitor_mark::limited;
  slots_[chosen].store(entry);
}

MonitorCounters ClientMonitor::counters() const {
  MonitorCounters c;
  c.existing = existing_.load(std::memory_order_relaxed);
  c.fresh = fresh_.load(std::memory_order_relaxed);
  c.recycled = recycled_.load(std::memory_order_relaxed);
  c.depth = c.fresh;  // a slot once used stays used; recycling replaces in place
  return c;
}

}  // namespace stratumd
