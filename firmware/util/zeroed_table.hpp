// A fixed-size table of plain slots whose empty state is all-zero bytes, taken from calloc. A
// table sized for a flood (the rate limiter's 16384 clients per worker) is large enough that the
// allocator maps it fresh from the kernel and skips clearing it, so a page becomes resident only
// when a slot on it is first written: the memory follows the clients actually seen, up to the
// bound, instead of the bound from the start.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>
#include <type_traits>

namespace stratumd {

template <typename Slot>
class ZeroedTable {
  static_assert(std::is_trivially_copyable_v<Slot> && std::is_trivially_destructible_v<Slot>,
                "slots are created by calloc and never destroyed");

 public:
  // Throws std::bad_alloc.
  explicit ZeroedTable(std::size_t size)
      : slots_(static_cast<Slot*>(std::calloc(size, sizeof(Slot)))), size_(size) {
    if (!slots_ && size != 0) throw std::bad_alloc();
  }

  Slot& operator[](std::size_t i) { return slots_.get()[i]; }
  const Slot& operator[](std::size_t i) const { return slots_.get()[i]; }
  std::size_t size() const { return size_; }

 private:
  struct Free {
    void operator()(Slot* slots) const { std::free(slots); }
  };
  std::unique_ptr<Slot, Free> slots_;
  std::size_t size_;
};

}  // namespace stratumd
