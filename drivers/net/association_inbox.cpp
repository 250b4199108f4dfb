#include "drivers/net/association_inbox.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>

#include "drivers/os/unique_fd.hpp"

namespace stratumd {

AssociationInbox::AssociationInbox(std::size_t capacity)
    : slots_(capacity), event_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  if (!event_.valid()) throw_errno("eventfd (association inbox)");
}

bool AssociationInbox::push(std::span<const std::uint8_t> bytes, const SocketAddress& source,
                            UtcTime receive_time, std::uint32_t restrict_flags) {
  if (bytes.size() > kMaxNtpPacketSize) return false;
  {
    const std::lock_guard lock(mutex_);
    if (last_pushed_.length == bytes.size() && last_pushed_.source.ip == source.ip &&
        last_pushed_.source.port == source.port &&
        std::equal(bytes.begin(), bytes.end(), last_pushed_.bytes.begin())) {
      return true;  // another worker's copy of the same broadcast
    }
    if (count_ == slots_.size()) {
      ++overflows_;
      return false;
    }
    InboundPacket& slot = slots_[(head_ + count_) % slots_.size()];
    std::copy(bytes.begin(), bytes.end(), slot.bytes.begin());
    slot.length = bytes.size();
    slot.source = source;
    slot.receive_time = receive_time;
    slot.restrict_flags = restrict_flags;
    last_pushed_.length = slot.length;
    last_pushed_.source = source;
    std::copy(bytes.begin(), bytes.end(), last_pushed_.bytes.begin());
    ++count_;
  }
  if (notify_) {
    notify_();
    return true;
  }
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto written = ::write(event_.get(), &one, sizeof one);
  return true;
}

void AssociationInbox::drain(const std::function<void(const InboundPacket&)>& deliver) {
  if (!notify_) {
    std::uint64_t ignored = 0;
    [[maybe_unused]] const auto got = ::read(event_.get(), &ignored, sizeof ignored);
  }
  for (;;) {
    {
      const std::lock_guard lock(mutex_);
      if (count_ == 0) return;
      delivering_ = slots_[head_];
      head_ = (head_ + 1) % slots_.size();
      --count_;
    }
    deliver(delivering_);  // outside the lock: the workers keep pushing
  }
}

std::uint64_t AssociationInbox::overflows() const {
  const std::lock_guard lock(mutex_);
  return overflows_;
}

}  // namespace stratumd
