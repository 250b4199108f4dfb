// The RFC 5905 packet: 48-byte header, optional extension fields (RFC 7822), optional MAC.
// Parsing never throws and never allocates: it runs on the packet path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "firmware/time/leap_indicator.hpp"
#include "firmware/time/ntp_timestamp.hpp"
#include "firmware/util/reference_id.hpp"

namespace stratumd {

inline constexpr std::size_t kNtpHeaderSize = 48;
inline constexpr std::size_t kMaxNtpPacketSize = 1024;

enum class NtpMode : std::uint8_t {
  reserved = 0,
  symmetric_active = 1,
  symmetric_passive = 2,
  client = 3,
  server = 4,
  broadcast = 5,
  control = 6,
  private_use = 7,
};

struct NtpHeader {
  LeapIndicator leap = LeapIndicator::unsynchronised;
  std::uint8_t version = 4;
  NtpMode mode = NtpMode::reserved;
  std::uint8_t stratum = 0;
  std::int8_t poll = 0;
  std::int8_t precision = 0;
  NtpShort root_delay;
  NtpShort root_dispersion;
  std::uint32_t reference_id = 0;
  NtpTimestamp reference_time;
  NtpTimestamp origin_time;
  NtpTimestamp receive_time;
  NtpTimestamp transmit_time;
};

// Where a MAC sits: the key identifier and the digest that follows it (16 bytes MD5, 20 SHA-1;
// a 4-byte MAC with key 0 is a crypto-NAK).
struct MacLocation {
  std::uint32_t key_id = 0;
  std::size_t offset = 0;  // of the key identifier within the packet
  std::size_t digest_length = 0;
};

enum class ParseStatus : std::uint8_t {
  ok,
  too_short,            // fewer than 48 bytes
  bad_version,          // 0 or above 4
  bad_extension_field,  // a field whose length runs past the end or is not a multiple of 4
  too_long,
};

struct ParsedPacket {
  NtpHeader header;
  std::size_t extension_field_count = 0;
  std::size_t extension_bytes = 0;
  bool has_mac = false;
  MacLocation mac;
};

struct ParseResult {
  ParseStatus status = ParseStatus::too_short;
  ParsedPacket packet;
};

ParseResult parse_ntp_packet(std::span<const std::uint8_t> bytes);

// Writes the 48-byte header; returns the number of bytes written.
std::size_t serialize_ntp_header(const NtpHeader& header,
                                 std::span<std::uint8_t, kNtpHeaderSize> out);

// Patches the transmit timestamp of an already serialised header (read as late as possible).
void write_transmit_time(NtpTimestamp t, std::span<std::uint8_t, kNtpHeaderSize> out);

}  // namespace stratumd
