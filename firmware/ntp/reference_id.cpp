#include "firmware/ntp/reference_id.hpp"

// OpenSSL's one-shot MD5() hashes in place, where EVP_Digest first starts OpenSSL's providers:
// ~1.8 MiB of resident memory for four bytes of every IPv6 reference ID. Deprecated in 3.0 for
// new cryptography; an IPv6 reference ID is not cryptography, only a name RFC 5905 made from MD5.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/md5.h>

#include <array>

#include "firmware/util/big_endian.hpp"

namespace stratumd {

std::uint32_t reference_id_for(const IpAddress& address) {
  if (address.family == IpFamily::v4) {
    return load_be32(std::span<const std::uint8_t, 4>(address.bytes.data(), 4));
  }
  std::array<std::uint8_t, MD5_DIGEST_LENGTH> digest{};
  ::MD5(address.bytes.data(), address.bytes.size(), digest.data());
  return load_be32(std::span<const std::uint8_t, 4>(digest.data(), 4));
}

}  // namespace stratumd
