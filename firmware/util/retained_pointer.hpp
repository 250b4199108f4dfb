// A value replaced now and then by one thread (a configuration reload) and read on every packet
// by others, without a lock: readers load a pointer; every version ever published stays alive
// until this object dies, so a reader never holds a dangling one. Reloads are rare and small, so
// keeping the old versions costs nothing worth a reclamation scheme.
#pragma once

#include <atomic>
#include <memory>
#include <vector>

namespace stratumd {

template <typename T>
class RetainedPointer {
 public:
  explicit RetainedPointer(T initial) { publish(std::move(initial)); }

  // Writer thread only.
  void publish(T value) {
    versions_.push_back(std::make_unique<const T>(std::move(value)));
    current_.store(versions_.back().get(), std::memory_order_release);
  }

  // Any thread.
  const T& load() const { return *current_.load(std::memory_order_acquire); }

 private:
  std::vector<std::unique_ptr<const T>> versions_;
  std::atomic<const T*> current_{nullptr};
};

}  // namespace stratumd
