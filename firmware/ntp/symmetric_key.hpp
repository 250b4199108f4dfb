// The symmetric keys the NTP packet path authenticates with (RFC 5905 MACs: MD5, SHA-1, AES-128
// CMAC) and which of them are trusted. The keys file and the directives that fill this in are
// configuration (firmware/config/keys_config.hpp); the packet path needs only this.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace stratumd {

enum class KeyType { md5, sha1, aes128_cmac };

const char* to_string(KeyType type);

struct SymmetricKey {
  std::uint32_t id = 0;
  KeyType type = KeyType::md5;
  std::vector<std::uint8_t> secret;
};

// A key ID as a directive named it (`trustedkey 5` at FILE:LINE), for messages.
struct KeyReference {
  std::uint32_t id = 0;
  std::string file;  // where the directive named it
  int line = 0;
};

struct AuthSettings {
  std::optional<std::string> keys_file;
  std::map<std::uint32_t, SymmetricKey> keys;
  std::vector<KeyReference> trusted;
  std::optional<KeyReference> request_key;
  std::optional<KeyReference> control_key;

  bool trusts(std::uint32_t id) const;
};

}  // namespace stratumd
