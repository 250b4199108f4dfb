// SipHash-2-4 (Aumasson and Bernstein): a keyed hash short enough to tag values a client must hand
// back unchanged (the MRU list's nonce) without the key being learnable from the tags.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace stratumd {

using SipKey = std::array<std::uint64_t, 2>;

std::uint64_t siphash24(const SipKey& key, std::span<const std::uint8_t> data);

}  // namespace stratumd
