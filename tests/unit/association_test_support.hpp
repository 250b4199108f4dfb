// What the tests of the association state machines share: the daemon's side of them (the keys in
// force, a MAC engine, the log) and the bytes of a packet as it arrives.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "firmware/ntp/association_state.hpp"

namespace stratumd {

class AssociationFixture : public ::testing::Test {
 protected:
  // A trusted SHA-1 key.
  void trust_key(std::uint32_t id, std::uint8_t fill) {
    keys.keys[id] = SymmetricKey{id, KeyType::sha1, std::vector<std::uint8_t>(20, fill)};
    keys.trusted.push_back(KeyReference{id, "ntp.keys", 1});
  }
  // `header` serialised, and signed with `key` when one is given.
  std::vector<std::uint8_t> bytes_of(const NtpHeader& header, const SymmetricKey* key = nullptr) {
    std::vector<std::uint8_t> bytes(kMaxSentPacket);
    std::size_t length =
        serialize_ntp_header(header, std::span<std::uint8_t>(bytes).first<kNtpHeaderSize>());
    if (key) length = append_mac(bytes, length, *key, mac);
    bytes.resize(length);
    return bytes;
  }

  AuthSettings keys;
  MacEngine mac;
  SeededRandom random{1};  // the same nonces and spreads every run
  std::vector<std::string> log;
  AssociationCore core{-20, [this]() -> const AuthSettings& { return keys; }, mac, random,
                       [this](const std::string& line) { log.push_back(line); }};
};

}  // namespace stratumd
