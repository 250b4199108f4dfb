// Where the server threads leave the packets that belong to associations — symmetric peers
// (modes 1 and 2) and broadcasters (mode 5) — for the main loop, which owns the associations.
// Bounded and preallocated: a worker copies the datagram into a free slot under a short lock and
// never allocates; a full inbox drops (and counts) as a full socket buffer would. A broadcast
// reaches every socket of the port, so the same datagram from the same source arriving twice in a
// row is kept once.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <span>
#include <vector>

#include "drivers/net/socket_address.hpp"
#include "drivers/os/unique_fd.hpp"
#include "firmware/ntp/ntp_packet.hpp"
#include "firmware/time/time_types.hpp"

namespace stratumd {

struct InboundPacket {
  std::array<std::uint8_t, kMaxNtpPacketSize> bytes{};
  std::size_t length = 0;
  SocketAddress source;
  UtcTime receive_time{};            // the kernel's stamp carried onto the served clock
  std::uint32_t restrict_flags = 0;  // what `restrict` says of the source

  std::span<const std::uint8_t> data() const { return {bytes.data(), length}; }
};

class AssociationInbox {
 public:
  explicit AssociationInbox(std::size_t capacity = 64);

  // Worker threads. False when the inbox is full and the packet was dropped.
  bool push(std::span<const std::uint8_t> bytes, const SocketAddress& source, UtcTime receive_time,
            std::uint32_t restrict_flags);

  // Readable when packets wait (an eventfd): the main loop watches it and drains.
  int event_fd() const { return event_.get(); }
  // The plain I/O mode serves on the loop's own thread, and a simulator's eventfd never becomes
  // readable: `notify` (set before any push) is called after each push instead.
  void notify_with(std::function<void()> notify) { notify_ = std::move(notify); }
  void drain(const std::function<void(const InboundPacket&)>& deliver);
  std::uint64_t overflows() const;

 private:
  mutable std::mutex mutex_;
  std::vector<InboundPacket> slots_;
  std::size_t head_ = 0, count_ = 0;
  std::uint64_t overflows_ = 0;
  InboundPacket last_pushed_;  // for the duplicate copies of one broadcast
  InboundPacket delivering_;
  UniqueFd event_;
  std::function<void()> notify_;
};

}  // namespace stratumd
