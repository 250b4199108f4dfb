// ntp.conf and keys files: any text is loaded or refused line by line, never a crash. The input
// is both the configuration and, after a NUL byte, the keys file it names.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "firmware/config/keys_config.hpp"
#include "firmware/config/ntp_conf_parser.hpp"

using namespace stratumd;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const auto nul = input.find('\0');
  const std::string conf = input.substr(0, nul);
  const std::string keys = nul == std::string::npos ? std::string() : input.substr(nul + 1);
  parse_keys_file(keys);
  parse_ntp_conf("/fuzz/ntp.conf", [&](const std::string& path) -> std::optional<std::string> {
    if (path == "/fuzz/ntp.conf") return conf;
    return keys;  // every includefile and keys file: the second part
  });
  return 0;
}
