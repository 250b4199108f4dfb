// Network byte order loads and stores on fixed-size spans: no alignment assumptions.
#pragma once

#include <cstdint>
#include <span>

namespace stratumd {

inline std::uint16_t load_be16(std::span<const std::uint8_t, 2> b) {
  return static_cast<std::uint16_t>((b[0] << 8) | b[1]);
}

inline std::uint32_t load_be32(std::span<const std::uint8_t, 4> b) {
  return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) |
         std::uint32_t{b[3]};
}

inline std::uint64_t load_be64(std::span<const std::uint8_t, 8> b) {
  return (std::uint64_t{load_be32(b.first<4>())} << 32) | load_be32(b.last<4>());
}

inline void store_be16(std::uint16_t v, std::span<std::uint8_t, 2> b) {
  b[0] = static_cast<std::uint8_t>(v >> 8);
  b[1] = static_cast<std::uint8_t>(v);
}

inline void store_be32(std::uint32_t v, std::span<std::uint8_t, 4> b) {
  b[0] = static_cast<std::uint8_t>(v >> 24);
  b[1] = static_cast<std::uint8_t>(v >> 16);
  b[2] = static_cast<std::uint8_t>(v >> 8);
  b[3] = static_cast<std::uint8_t>(v);
}

inline void store_be64(std::uint64_t v, std::span<std::uint8_t, 8> b) {
  store_be32(static_cast<std::uint32_t>(v >> 32), b.first<4>());
  store_be32(static_cast<std::uint32_t>(v), b.last<4>());
}

}  // namespace stratumd
