#include "drivers/clock/kernel_clocks.hpp"

#include <ctime>

namespace stratumd {

// Every clock read, step and packet stamp passes through a time_t somewhere: on 32-bit targets
// CMakeLists.txt asks for the 64-bit one, and this is where its absence would show.
static_assert(sizeof(std::time_t) == 8, "stratumd needs a 64-bit time_t (_TIME_BITS=64)");

std::int64_t read_clock_ns(clockid_t id) {
  timespec ts{};
  ::clock_gettime(id, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace stratumd
