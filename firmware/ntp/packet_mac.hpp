// NTP symmetric-key MACs (RFC 5905 §7.3, RFC 8573): MD5 and SHA-1 as ntpd computes them (the
// digest of key then packet), AES-128-CMAC over the packet. OpenSSL does the cryptography; the
// comparison is constant-time. One engine per thread: its OpenSSL contexts are made once and
// reused, so verifying or signing a packet does not set up a context each time. They are made
// for the keys configured (prepare), never before: fetching an algorithm starts OpenSSL's
// providers, which costs ~1.8 MiB of resident memory that a server without keys should not pay.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>

#include "firmware/ntp/ntp_packet.hpp"
#include "firmware/ntp/symmetric_key.hpp"

typedef struct evp_md_ctx_st EVP_MD_CTX;
typedef struct evp_mac_st EVP_MAC;
typedef struct evp_mac_ctx_st EVP_MAC_CTX;

namespace stratumd {

// Digest bytes after the key ID for a key type: 16 (MD5, AES-128-CMAC) or 20 (SHA-1).
std::size_t mac_digest_length(KeyType type);

// What an engine did, as ntpq's authinfo shows it (ntpd's names: an "encryption" is a MAC made, a
// "decryption" one checked). "Digest" is MD5 or SHA-1, "CMAC" AES-128-CMAC.
struct MacCounters {
  std::uint64_t lookups = 0, not_found = 0;
  std::uint64_t digest_made = 0, cmac_made = 0;
  std::uint64_t digest_checked = 0, digest_failed = 0, cmac_checked = 0, cmac_failed = 0;
  MacCounters& operator+=(const MacCounters& other);
};

class MacEngine {
 public:
  MacEngine();
  ~MacEngine();
  MacEngine(const MacEngine&) = delete;
  MacEngine& operator=(const MacEngine&) = delete;

  // Writes the digest of `data` under `key` into `digest` (at least mac_digest_length bytes).
  // False when OpenSSL fails.
  bool compute(const SymmetricKey& key, std::span<const std::uint8_t> data,
               std::span<std::uint8_t> digest);
  // Sets up now what these keys will need (OpenSSL's algorithms and this engine's contexts), so
  // the first packet signed after a start or a reload does not wait for it between its transmit
  // timestamp and its sending (over a millisecond, the first time in a process).
  void prepare(const AuthSettings& auth);
  // True when `digest` is exactly the digest of `data` under `key`.
  bool verify(const SymmetricKey& key, std::span<const std::uint8_t> data,
              std::span<const std::uint8_t> digest);
  // A key looked up by the ID a packet carries; `found` when it is configured.
  void count_lookup(bool found);
  // Safe to read from another thread while the engine's own thread works.
  MacCounters counters() const;

 private:
  // The CMAC context, fetched on first use; false when OpenSSL cannot make it.
  bool have_cmac();
  bool digest_of(const SymmetricKey& key, std::span<const std::uint8_t> data,
                 std::span<std::uint8_t> digest);

  struct Counts {
    std::atomic<std::uint64_t> lookups{0}, not_found{0};
    std::atomic<std::uint64_t> digest_made{0}, cmac_made{0};
    std::atomic<std::uint64_t> digest_checked{0}, digest_failed{0}, cmac_checked{0}, cmac_failed{0};
  } counts_;

  EVP_MD_CTX* digest_ = nullptr;
  EVP_MAC* cmac_ = nullptr;
  EVP_MAC_CTX* cmac_context_ = nullptr;
};

// What a received packet's MAC says (RFC 5905 §7.3): none, a crypto-NAK (key 0, no digest), or a
// digest that verifies under a trusted key of the right type — anything else is `bad`.
struct PacketAuth {
  enum class Result { none, crypto_nak, valid, bad } result = Result::none;
  std::uint32_t key_id = 0;
};
// The key a received MAC names, when it is configured and trusted; the lookup is counted
// (authinfo). Verifying the digest is the caller's.
const SymmetricKey* trusted_key_for_mac(std::uint32_t key_id, const AuthSettings& auth,
                                        MacEngine& engine);

PacketAuth check_packet_mac(const ParsedPacket& packet, std::span<const std::uint8_t> bytes,
                            const AuthSettings& auth, MacEngine& engine);

// Appends key ID and digest to the `length` bytes of `packet` already written; returns the new
// length, or 0 when `packet` is too small or OpenSSL fails.
std::size_t append_mac(std::span<std::uint8_t> packet, std::size_t length, const SymmetricKey& key,
                       MacEngine& engine);

}  // namespace stratumd
