#include "drivers/gpsd/shm_refclock.hpp"

#include <sys/ipc.h>
#include <sys/shm.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace stratumd {

ShmRefclock::ShmRefclock(EventLoop& loop, RefclockSink& sink, int unit,
                         std::optional<Nanoseconds> max_difference, Log log)
    : loop_(loop), sink_(sink), unit_(unit), max_difference_(max_difference), log_(std::move(log)) {
  const key_t key = static_cast<key_t>(kNtpShmKeyBase + static_cast<unsigned>(unit));
  const int permissions = unit < 2 ? 0600 : 0666;
  const int id = ::shmget(key, sizeof(NtpShmTime), IPC_CREAT | permissions);
  if (id < 0) {
    throw std::runtime_error("shared memory segment 0x" +
                             [&] {
                               char hex[16];
                               std::snprintf(hex, sizeof hex, "%08X", static_cast<unsigned>(key));
                               return std::string(hex);
                             }() +
                             ": " + std::strerror(errno) +
                             (errno == EINVAL ? " (an existing segment of another size?)" : ""));
  }
  void* address = ::shmat(id, nullptr, 0);
  if (address == reinterpret_cast<void*>(-1)) {
    throw std::runtime_error(std::string("cannot attach the SHM segment: ") + std::strerror(errno));
  }
  segment_ = static_cast<NtpShmTime*>(address);
}

ShmRefclock::~ShmRefclock() {
  loop_.cancel_timers(this);
  if (segment_) ::shmdt(segment_);
}

void ShmRefclock::poll() {
  // The writer is another process: read through volatile, fenced by the count as ntpd does.
  volatile NtpShmTime* shared = segment_;
  const int before = shared->count;
  std::atomic_thread_fence(std::memory_order_acquire);
  NtpShmTime copy{};
  copy.mode = shared->mode;
  copy.count = shared->count;
  copy.clock_seconds = shared->clock_seconds;
  copy.clock_microseconds = shared->clock_microseconds;
  copy.receive_seconds = shared->receive_seconds;
  copy.receive_microseconds = shared->receive_microseconds;
  copy.leap = shared->leap;
  copy.precision = shared->precision;
  copy.valid = shared->valid;
  copy.clock_nanoseconds = shared->clock_nanoseconds;
  copy.receive_nanoseconds = shared->receive_nanoseconds;
  std::atomic_thread_fence(std::memory_order_acquire);
  const int after = shared->count;
  const ShmDecode d = decode_shm_time(copy, before, after, max_difference_);
  if (copy.valid) shared->valid = 0;  // consumed
  switch (d.status) {
    case ShmStatus::ok: {
      ++counters_.samples;
      reported_too_far_ = false;
      // Whether the unit carries PPS or serial time is the configuration's to say.
      sink_.sample(RawSample{{StampClock::realtime, d.sample.received.time_since_epoch()},
                             d.sample.reference});
      break;
    }
    case ShmStatus::not_valid:
      ++counters_.not_valid;
      break;
    case ShmStatus::torn:
      ++counters_.torn;
      break;
    case ShmStatus::bad_values:
      ++counters_.bad;
      break;
    case ShmStatus::too_far:
      ++counters_.too_far;
      if (!reported_too_far_) {
        log_(
            name() +
            ": sample differs from the system clock by more than time2; ignored (flag1 1 lifts the "
            "check)");
        reported_too_far_ = true;
      }
      break;
  }
  loop_.call_after(
      std::chrono::seconds{1}, [this] { poll(); }, this);
}

}  // namespace stratumd
