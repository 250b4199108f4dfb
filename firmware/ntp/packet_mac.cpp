#include "firmware/ntp/packet_mac.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <stdexcept>

#include "firmware/util/big_endian.hpp"
#include "firmware/util/single_writer_counter.hpp"

namespace stratumd {

std::size_t mac_digest_length(KeyType type) {
  return type == KeyType::sha1 ? 20 : 16;
}

MacEngine::MacEngine() : digest_(EVP_MD_CTX_new()) {
  if (!digest_) throw std::runtime_error("OpenSSL: cannot create a digest context");
}

bool MacEngine::have_cmac() {
  if (cmac_context_) return true;
  if (!cmac_) cmac_ = EVP_MAC_fetch(nullptr, "CMAC", nullptr);
  if (cmac_) cmac_context_ = EVP_MAC_CTX_new(cmac_);
  return cmac_context_ != nullptr;
}

MacEngine::~MacEngine() {
  EVP_MAC_CTX_free(cmac_context_);
  EVP_MAC_free(cmac_);
  EVP_MD_CTX_free(digest_);
}

MacCounters& MacCounters::operator+=(const MacCounters& o) {
  lookups += o.lookups;
  not_found += o.not_found;
  digest_made += o.digest_made;
  cmac_made += o.cmac_made;
  digest_checked += o.digest_checked;
  digest_failed += o.digest_failed;
  cmac_checked += o.cmac_checked;
  cmac_failed += o.cmac_failed;
  return *this;
}

bool MacEngine::compute(const SymmetricKey& key, std::span<const std::uint8_t> data,
                        std::span<std::uint8_t> digest) {
  add_single_writer(key.type == KeyType::aes128_cmac ? counts_.cmac_made : counts_.digest_made);
  return digest_of(key, data, digest);
}

void MacEngine::count_lookup(bool found) {
  add_single_writer(counts_.lookups);
  if (!found) add_single_writer(counts_.not_found);
}

MacCounters MacEngine::counters() const {
  const auto get = [](const std::atomic<std::uint64_t>& n) {
    return n.load(std::memory_order_relaxed);
  };
  MacCounters c;
  c.lookups = get(counts_.lookups);
  c.not_found = get(counts_.not_found);
  c.digest_made = get(counts_.digest_made);
  c.cmac_made = get(counts_.cmac_made);
  c.digest_checked = get(counts_.digest_checked);
  c.digest_failed = get(counts_.digest_failed);
  c.cmac_checked = get(counts_.cmac_checked);
  c.cmac_failed = get(counts_.cmac_failed);
  return c;
}

bool MacEngine::digest_of(const SymmetricKey& key, std::span<const std::uint8_t> data,
                          std::span<std::uint8_t> digest) {
  const std::size_t length = mac_digest_length(key.type);
  if (digest.size() < length) return false;
  if (key.type == KeyType::aes128_cmac) {
    if (!have_cmac()) return false;
    char cipher[] = "AES-128-CBC";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, cipher, 0),
                                 OSSL_PARAM_END};
    std::size_t written = 0;
    return EVP_MAC_init(cmac_context_, key.secret.data(), key.secret.size(), params) == 1 &&
           EVP_MAC_update(cmac_context_, data.data(), data.size()) == 1 &&
           EVP_MAC_final(cmac_context_, digest.data(), &written, length) == 1 && written == length;
  }
  // ntpd's legacy MAC: the digest of the key followed by the packet.
  const EVP_MD* md = key.type == KeyType::md5 ? EVP_md5() : EVP_sha1();
  unsigned int written = 0;
  return EVP_DigestInit_ex(digest_, md, nullptr) == 1 &&
         EVP_DigestUpdate(digest_, key.secret.data(), key.secret.size()) == 1 &&
         EVP_DigestUpdate(digest_, data.data(), data.size()) == 1 &&
         EVP_DigestFinal_ex(digest_, digest.data(), &written) == 1 && written == length;
}

void MacEngine::prepare(const AuthSettings& auth) {
  std::array<bool, 3> ready{};  // by KeyType: one digest of each type in use does it
  for (const auto& [id, key] : auth.keys) {
    bool& done = ready.at(static_cast<std::size_t>(key.type));
    if (done) continue;
    std::array<std::uint8_t, 20> digest{};
    digest_of(key, {}, digest);  // not counted: no packet was signed
    done = true;
  }
}

bool MacEngine::verify(const SymmetricKey& key, std::span<const std::uint8_t> data,
                       std::span<const std::uint8_t> digest) {
  std::array<std::uint8_t, 20> expected{};
  const std::size_t length = mac_digest_length(key.type);
  const bool cmac = key.type == KeyType::aes128_cmac;
  add_single_writer(cmac ? counts_.cmac_checked : counts_.digest_checked);
  const bool good = digest.size() == length && digest_of(key, data, expected) &&
                    CRYPTO_memcmp(expected.data(), digest.data(), length) == 0;
  if (!good) add_single_writer(cmac ? counts_.cmac_failed : counts_.digest_failed);
  return good;
}

const SymmetricKey* trusted_key_for_mac(std::uint32_t key_id, const AuthSettings& auth,
                                        MacEngine& engine) {
  const auto it = auth.keys.find(key_id);
  engine.count_lookup(it != auth.keys.end());
  return it != auth.keys.end() && auth.trusts(key_id) ? &it->second : nullptr;
}

PacketAuth check_packet_mac(const ParsedPacket& packet, std::span<const std::uint8_t> bytes,
                            const AuthSettings& auth, MacEngine& engine) {
  if (!packet.has_mac) return {};
  const MacLocation& at = packet.mac;
  if (at.digest_length == 0) {
    return {at.key_id == 0 ? PacketAuth::Result::crypto_nak : PacketAuth::Result::bad, at.key_id};
  }
  const SymmetricKey* key = trusted_key_for_mac(at.key_id, auth, engine);
  const bool valid =
      key && at.digest_length == mac_digest_length(key->type) &&
      at.offset + 4 + at.digest_length <= bytes.size() &&
      engine.verify(*key, bytes.first(at.offset), bytes.subspan(at.offset + 4, at.digest_length));
  return {valid ? PacketAuth::Result::valid : PacketAuth::Result::bad, at.key_id};
}

std::size_t append_mac(std::span<std::uint8_t> packet, std::size_t length, const SymmetricKey& key,
                       MacEngine& engine) {
  const std::size_t digest = mac_digest_length(key.type);
  if (packet.size() < length + 4 + digest) return 0;
  store_be32(key.id, packet.subspan(length).first<4>());
  if (!engine.compute(key, packet.first(length), packet.subspan(length + 4, digest))) return 0;
  return length + 4 + digest;
}

}  // namespace stratumd
