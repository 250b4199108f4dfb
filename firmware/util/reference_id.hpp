// A reference identifier from its ASCII code ("PPS", "GPS", a kiss code): the header's refid
// field, needed below the protocol layer too (the GPS combiner names its sources with it).
#pragma once

#include <cstddef>
#include <cstdint>

namespace stratumd {

// Reference identifiers: up to four ASCII characters (kiss codes, refclock names) packed
// big-endian and zero-padded.
template <std::size_t N>
requires(N >= 2 && N <= 5) constexpr std::uint32_t make_refid(const char (&code)[N]) {
  std::uint32_t id = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    id = (id << 8) | (i + 1 < N ? static_cast<std::uint8_t>(code[i]) : 0u);
  }
  return id;
}

}  // namespace stratumd
