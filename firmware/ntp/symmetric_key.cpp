#include "firmware/ntp/symmetric_key.hpp"

#include <algorithm>

namespace stratumd {

const char* to_string(KeyType type) {
  switch (type) {
    case KeyType::md5:
      return "MD5";
    case KeyType::sha1:
      return "SHA1";
    case KeyType::aes128_cmac:
      return "AES128CMAC";
  }
  return "?";
}

bool AuthSettings::trusts(std::uint32_t id) const {
  return std::any_of(trusted.begin(), trusted.end(),
                     [&](const KeyReference& k) { return k.id == id; });
}

}  // namespace stratumd
