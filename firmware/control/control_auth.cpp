#include "firmware/control/control_auth.hpp"

#include "firmware/control/mode6.hpp"
#include "firmware/util/big_endian.hpp"

namespace stratumd {

ControlAuth check_control_mac(std::span<const std::uint8_t> request, const AuthSettings& auth,
                              MacEngine& engine) {
  if (request.size() < kMode6HeaderSize || request.size() % 4 != 0) return {};
  const std::size_t count = static_cast<std::size_t>((request[10] << 8) | request[11]);
  const std::size_t signed_length = (kMode6HeaderSize + count + 7) & ~std::size_t{7};
  // Room for a key ID and the shortest digest (16 octets) after the padded data, or no MAC.
  if (request.size() < signed_length + 4 + 16) return {};
  ControlAuth result{true, nullptr};
  const std::uint32_t key_id = load_be32(request.subspan(signed_length).first<4>());
  const SymmetricKey* key = trusted_key_for_mac(key_id, auth, engine);
  if (key && auth.control_key && auth.control_key->id == key_id &&
      engine.verify(*key, request.first(signed_length), request.subspan(signed_length + 4))) {
    result.key = key;
  }
  return result;
}

std::size_t sign_control_fragment(std::span<std::uint8_t> fragment, std::size_t length,
                                  const SymmetricKey& key, MacEngine& engine) {
  while (length % 8 != 0) {
    if (length >= fragment.size()) return 0;
    fragment[length++] = 0;
  }
  return append_mac(fragment, length, key, engine);
}

}  // namespace stratumd
