#include "firmware/ntp/interleaved_timestamps.hpp"

namespace stratumd {

InterleavedTimestamps::InterleavedTimestamps(unsigned capacity_log2)
    : slots_(std::make_unique<Slot[]>(std::size_t{1} << capacity_log2)),
      mask_((std::uint64_t{1} << capacity_log2) - 1),
      shift_(64 - capacity_log2) {}

// The fraction bits of a receive stamp are close to random, the seconds are not: a
// multiplicative hash mixes both into the slot index.
InterleavedTimestamps::Slot& InterleavedTimestamps::slot_for(NtpTimestamp receive) const {
  const std::uint64_t mixed = receive.raw() * 0x9E37'79B9'7F4A'7C15ULL;
  // One slot: no shift by 64.
  return slots_[shift_ >= 64 ? 0 : static_cast<std::size_t>((mixed >> shift_) & mask_)];
}

bool InterleavedTimestamps::try_lock(Slot& slot, std::uint32_t& sequence) {
  sequence = slot.sequence.load(std::memory_order_relaxed);
  if (sequence & 1) return false;
  if (!slot.sequence.compare_exchange_strong(sequence, sequence + 1, std::memory_order_acquire,
                                             std::memory_order_relaxed)) {
    return false;
  }
  std::atomic_thread_fence(std::memory_order_release);
  return true;
}

void InterleavedTimestamps::remember(NtpTimestamp receive, NtpTimestamp transmit) {
  if (receive.is_zero()) return;
  Slot& slot = slot_for(receive);
  std::uint32_t sequence = 0;
  if (!try_lock(slot, sequence)) return;
  slot.receive.store(receive.raw(), std::memory_order_relaxed);
  slot.transmit.store(transmit.raw(), std::memory_order_relaxed);
  slot.sequence.store(sequence + 2, std::memory_order_release);
}

bool InterleavedTimestamps::refine(NtpTimestamp receive, NtpTimestamp transmit) {
  if (receive.is_zero()) return false;
  Slot& slot = slot_for(receive);
  std::uint32_t sequence = 0;
  if (!try_lock(slot, sequence)) return false;
  const bool ours = slot.receive.load(std::memory_order_relaxed) == receive.raw();
  if (ours) slot.transmit.store(transmit.raw(), std::memory_order_relaxed);
  slot.sequence.store(sequence + 2, std::memory_order_release);
  return ours;
}

std::optional<NtpTimestamp> InterleavedTimestamps::transmit_for(NtpTimestamp receive) const {
  if (receive.is_zero()) return std::nullopt;
  const Slot& slot = slot_for(receive);
  const std::uint32_t before = slot.sequence.load(std::memory_order_acquire);
  if (before & 1) return std::nullopt;
  const std::uint64_t stored_receive = slot.receive.load(std::memory_order_relaxed);
  const std::uint64_t transmit = slot.transmit.load(std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_acquire);
  if (slot.sequence.load(std::memory_order_relaxed) != before) return std::nullopt;
  if (stored_receive != receive.raw()) return std::nullopt;
  return NtpTimestamp{transmit};
}

}  // namespace stratumd
