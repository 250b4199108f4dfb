#include "firmware/config/keys_config.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "firmware/config/config_lines.hpp"

namespace stratumd {
namespace {

// ntpd key IDs run from 1 to 65535.
constexpr std::uint32_t kMaxKeyId = 65535;
constexpr std::size_t kMaxAsciiKey = 20;

std::optional<std::uint32_t> parse_key_id(const std::string& text) {
  std::uint32_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < 1 || value > kMaxKeyId) {
    return std::nullopt;
  }
  return value;
}

std::optional<KeyType> parse_key_type(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  if (name == "M" || name == "MD5") return KeyType::md5;
  if (name == "SHA1" || name == "SHA") return KeyType::sha1;
  if (name == "AES128CMAC" || name == "AES-128-CMAC" || name == "AES-128" || name == "AES") {
    return KeyType::aes128_cmac;
  }
  return std::nullopt;
}

std::optional<std::vector<std::uint8_t>> decode_hex(const std::string& text) {
  if (text.size() % 2 != 0) return std::nullopt;
  std::vector<std::uint8_t> bytes;
  for (std::size_t i = 0; i < text.size(); i += 2) {
    std::uint8_t byte = 0;
    const auto [end, ec] = std::from_chars(text.data() + i, text.data() + i + 2, byte, 16);
    if (ec != std::errc{} || end != text.data() + i + 2) return std::nullopt;
    bytes.push_back(byte);
  }
  return bytes;
}

}  // namespace

KeysFileParse parse_keys_file(const std::string& text) {
  KeysFileParse result;
  std::vector<SplitError> split_errors;
  for (const ConfigLine& line : split_config_lines(text, &split_errors)) {
    const auto problem = [&](std::string message) {
      result.findings.push_back({true, line.line, std::move(message)});
    };
    const std::vector<std::string>& w = line.words;
    if (w.size() < 3) {
      problem("a key is 'KEYID TYPE KEY' (e.g. '1 SHA1 0123...'); this line has " +
              std::to_string(w.size()) + " field(s)");
      continue;
    }
    const auto id = parse_key_id(w[0]);
    if (!id) {
      problem("key ID '" + w[0] + "' is not a number from 1 to 65535");
      continue;
    }
    const auto type = parse_key_type(w[1]);
    if (!type) {
      problem("key type '" + w[1] + "' is not one of MD5 (M), SHA1, AES128CMAC");
      continue;
    }
    // As ntpd: up to 20 characters is the key itself, longer is hexadecimal.
    std::vector<std::uint8_t> secret;
    if (w[2].size() <= kMaxAsciiKey) {
      secret.assign(w[2].begin(), w[2].end());
    } else if (auto hex = decode_hex(w[2])) {
      secret = std::move(*hex);
    } else {
      problem("key " + w[0] + ": a key longer than 20 characters must be hexadecimal");
      continue;
    }
    if (*type == KeyType::aes128_cmac && secret.size() != 16) {
      problem("key " + w[0] + ": AES128CMAC needs exactly 16 bytes (32 hexadecimal digits), not " +
              std::to_string(secret.size()));
      continue;
    }
    if (result.keys.count(*id)) {
      problem("key " + w[0] + " is defined twice");
      continue;
    }
    result.keys[*id] = SymmetricKey{*id, *type, std::move(secret)};
  }
  for (const SplitError& e : split_errors) result.findings.push_back({true, e.line, e.message});
  return result;
}

std::string apply_key_directive(AuthSettings& auth, const std::vector<std::string>& words,
                                const std::string& file, int line) {
  const std::string& name = words[0];
  if (name == "requestkey" || name == "controlkey") {
    const auto id = words.size() == 2 ? parse_key_id(words[1]) : std::nullopt;
    if (!id) return name + " takes one key ID from 1 to 65535";
    (name == "requestkey" ? auth.request_key : auth.control_key) = KeyReference{*id, file, line};
    return {};
  }
  // trustedkey: IDs and ranges written "(FIRST ... LAST)".
  if (words.size() < 2) return "trustedkey needs at least one key ID";
  for (std::size_t i = 1; i < words.size(); ++i) {
    if (words[i] == "(") {
      if (i + 4 >= words.size() || words[i + 2] != "..." || words[i + 4] != ")") {
        return "trustedkey range must be written '( FIRST ... LAST )'";
      }
      const auto first = parse_key_id(words[i + 1]);
      const auto last = parse_key_id(words[i + 3]);
      if (!first || !last || *first > *last) {
        return "trustedkey range '(" + words[i + 1] + " ... " + words[i + 3] +
               ")' needs two key IDs from 1 to 65535, the first not above the last";
      }
      for (std::uint32_t id = *first; id <= *last; ++id) auth.trusted.push_back({id, file, line});
      i += 4;
      continue;
    }
    const auto id = parse_key_id(words[i]);
    if (!id) return "trustedkey '" + words[i] + "' is not a key ID from 1 to 65535";
    auth.trusted.push_back({*id, file, line});
  }
  return {};
}

}  // namespace stratumd
