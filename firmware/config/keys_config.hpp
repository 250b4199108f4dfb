// Symmetric keys: ntpd's keys file (`keyid type key`, MD5, SHA1 and AES-128-CMAC; ASCII keys of
// up to 20 characters or hexadecimal ones) and the `trustedkey`, `requestkey` and `controlkey`
// directives that refer to it. Pure: the file's text comes in, findings name its lines.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "firmware/ntp/symmetric_key.hpp"

namespace stratumd {

struct KeyFileFinding {
  bool error = true;
  int line = 0;
  std::string message;
};

struct KeysFileParse {
  std::map<std::uint32_t, SymmetricKey> keys;
  std::vector<KeyFileFinding> findings;
};

KeysFileParse parse_keys_file(const std::string& text);

// `trustedkey 1 2 (5 ... 9)`, `requestkey N`, `controlkey N`: an error message, or empty.
[[nodiscard]] std::string apply_key_directive(AuthSettings& auth,
                                              const std::vector<std::string>& words,
                                              const std::string& file, int line);

}  // namespace stratumd
