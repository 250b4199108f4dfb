// ntpd's MRU list over mode 6, as NTPsec's `ntpq mrulist` and `ntpmon` ask for it. The asker first
// fetches a nonce (opcode 12) bound to its address and the time; only a list request (opcode 10)
// carrying a fresh one is answered, so a spoofed source never draws the large reply. Entries go
// out oldest first, as many as the request's fragment or row limit allows; a reply that reaches
// the newest ends with `now=`, otherwise the asker continues from the newest entry it holds
// (`addr.0=…, last.0=…`). Pure: the caller collects the entries and sends the text.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "firmware/net/ip_address.hpp"
#include "firmware/ntp/client_monitor.hpp"
#include "firmware/time/ntp_timestamp.hpp"
#include "firmware/util/siphash.hpp"

namespace stratumd {

inline constexpr std::size_t kMruMaxFragments = 32;      // ntpq asks for at most 32
inline constexpr std::uint32_t kMruNonceLifetimeS = 32;  // ntpq fetches a new one after 16 s

struct MruPrior {
  IpAddress address;
  std::uint16_t port = 0;
  NtpTimestamp last;
};

struct MruRequest {
  std::string_view nonce;     // as handed out, "nonce=" removed
  std::size_t fragments = 0;  // at most this many fragments; 0: not given
  std::size_t rows = 0;       // `limit`: at most this many entries; 0: not given
  std::uint32_t min_count = 0, min_drops = 0;
  std::uint16_t all_marks = 0, any_mark = 0;     // resall, resany: ntpd's RES_ bits
  std::uint32_t max_idle_s = 0, min_idle_s = 0;  // maxlstint, minlstint
  std::size_t recent = 0;                        // only the newest this many
  std::array<MruPrior, 16> priors{};
  std::size_t prior_count = 0;
};

enum class MruParse : std::uint8_t { ok, no_nonce, bad_format };
MruParse parse_mru_request(std::string_view data, MruRequest& out);

// "nonce=" then 8 hex digits of `seconds` and 16 of a keyed hash of them and the address.
// `out` needs 30 bytes; returns the length written.
std::size_t write_mru_nonce(const SipKey& key, const IpAddress& asker, std::uint32_t seconds,
                            std::span<char> out);
// The value (without "nonce=") was handed to this address less than kMruNonceLifetimeS ago.
bool mru_nonce_valid(const SipKey& key, const IpAddress& asker, std::uint32_t now_seconds,
                     std::string_view value);

// The workers' entries as one list, oldest first: a client heard by several workers (the kernel
// spreads packets by address and port) becomes one entry, as ntpd keeps one per address.
// Returns how many of `entries` remain.
std::size_t merge_oldest_first(std::span<MonitorEntry> entries);

struct MruReply {
  std::uint16_t error = 0;  // a mode 6 error code, or 0 with `length` bytes of text
  std::size_t length = 0;
};
// `entries` oldest first; `out` holds at most kMruMaxFragments fragments of text.
MruReply write_mru_reply(const MruRequest& request, std::span<const MonitorEntry> entries,
                         NtpTimestamp now, std::string_view fresh_nonce, std::span<char> out);

}  // namespace stratumd
