#include "firmware/ntp/reference_id.hpp"

#include <openssl/evp.h>

#include <array>

#include "firmware/util/big_endian.hpp"

namespace stratumd {

std::uint32_t reference_id_for(const IpAddress& address) {
  if (address.family == IpFamily::v4) {
    return load_be32(std::span<const std::uint8_t, 4>(address.bytes.data(), 4));
  }
  std::array<std::uint8_t, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_Digest(address.bytes.data(), address.bytes.size(), digest.data(), &length, EVP_md5(),
                 nullptr) != 1 ||
      length < 4) {
    return 0;
  }
  return load_be32(std::span<const std::uint8_t, 4>(digest.data(), 4));
}

}  // namespace stratumd
