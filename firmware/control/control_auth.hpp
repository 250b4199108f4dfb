// Authenticated mode 6 (ntpd's ntp_control.c): a request may carry a MAC after its data, padded
// to 8 octets; opcodes ntpd reserves for the `controlkey` (the ordered lists behind ntpq's
// ifstats and reslist) are answered only when that MAC verifies under the control key, which must
// also be trusted. Answers to an authenticated request are signed with the same key, as ntpd's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "firmware/ntp/packet_mac.hpp"
#include "firmware/ntp/symmetric_key.hpp"

namespace stratumd {

struct ControlAuth {
  bool signed_request = false;  // a MAC was there
  // The control key, when the MAC verified under it: the answers are signed with it too.
  const SymmetricKey* key = nullptr;
};

ControlAuth check_control_mac(std::span<const std::uint8_t> request, const AuthSettings& auth,
                              MacEngine& engine);

// Pads the `length` bytes of a reply fragment to 8 octets and appends key ID and digest. Returns
// the new length, or 0 when `fragment` is too small or the MAC cannot be made.
std::size_t sign_control_fragment(std::span<std::uint8_t> fragment, std::size_t length,
                                  const SymmetricKey& key, MacEngine& engine);

}  // namespace stratumd
