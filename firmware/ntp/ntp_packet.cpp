#include "firmware/ntp/ntp_packet.hpp"

#include "firmware/util/big_endian.hpp"

namespace stratumd {
namespace {

// RFC 7822: an extension field is at least 16 bytes and a multiple of 4.
constexpr std::size_t kMinExtensionFieldLength = 16;

bool is_mac_length(std::size_t remaining) {
  // key id + MD5 (16) or SHA-1/AES-CMAC-truncated (20) digest, or a bare key id (crypto-NAK).
  return remaining == 4 || remaining == 4 + 16 || remaining == 4 + 20;
}

}  // namespace

ParseResult parse_ntp_packet(std::span<const std::uint8_t> bytes) {
  ParseResult result;
  if (bytes.size() < kNtpHeaderSize) {
    result.status = ParseStatus::too_short;
    return result;
  }
  if (bytes.size() > kMaxNtpPacketSize) {
    result.status = ParseStatus::too_long;
    return result;
  }
  NtpHeader& h = result.packet.header;
  h.leap = static_cast<LeapIndicator>(bytes[0] >> 6);
  h.version = static_cast<std::uint8_t>((bytes[0] >> 3) & 0x7);
  h.mode = static_cast<NtpMode>(bytes[0] & 0x7);
  if (h.version == 0 || h.version > 4) {
    result.status = ParseStatus::bad_version;
    return result;
  }
  h.stratum = bytes[1];
  h.poll = static_cast<std::int8_t>(bytes[2]);
  h.precision = static_cast<std::int8_t>(bytes[3]);
  h.root_delay = NtpShort{load_be32(bytes.subspan<4, 4>())};
  h.root_dispersion = NtpShort{load_be32(bytes.subspan<8, 4>())};
  h.reference_id = load_be32(bytes.subspan<12, 4>());
  h.reference_time = NtpTimestamp{load_be64(bytes.subspan<16, 8>())};
  h.origin_time = NtpTimestamp{load_be64(bytes.subspan<24, 8>())};
  h.receive_time = NtpTimestamp{load_be64(bytes.subspan<32, 8>())};
  h.transmit_time = NtpTimestamp{load_be64(bytes.subspan<40, 8>())};

  // Walk extension fields (NTPv4 only) until what remains is empty or exactly a MAC.
  std::size_t pos = kNtpHeaderSize;
  while (h.version == 4 && bytes.size() - pos > 4 + 20) {
    const std::size_t remaining = bytes.size() - pos;
    const std::size_t length = load_be16(bytes.subspan(pos + 2).first<2>());
    if (length < kMinExtensionFieldLength || length % 4 != 0 || length > remaining) {
      result.status = ParseStatus::bad_extension_field;
      return result;
    }
    ++result.packet.extension_field_count;
    result.packet.extension_bytes += length;
    pos += length;
  }
  const std::size_t remaining = bytes.size() - pos;
  if (remaining != 0) {
    if (!is_mac_length(remaining)) {
      result.status = ParseStatus::bad_extension_field;
      return result;
    }
    result.packet.has_mac = true;
    result.packet.mac.key_id = load_be32(bytes.subspan(pos).first<4>());
    result.packet.mac.offset = pos;
    result.packet.mac.digest_length = remaining - 4;
  }
  result.status = ParseStatus::ok;
  return result;
}

std::size_t serialize_ntp_header(const NtpHeader& h, std::span<std::uint8_t, kNtpHeaderSize> out) {
  out[0] = static_cast<std::uint8_t>((static_cast<unsigned>(h.leap) << 6) |
                                     ((h.version & 0x7u) << 3) | static_cast<unsigned>(h.mode));
  out[1] = h.stratum;
  out[2] = static_cast<std::uint8_t>(h.poll);
  out[3] = static_cast<std::uint8_t>(h.precision);
  store_be32(h.root_delay.raw(), out.subspan<4, 4>());
  store_be32(h.root_dispersion.raw(), out.subspan<8, 4>());
  store_be32(h.reference_id, out.subspan<12, 4>());
  store_be64(h.reference_time.raw(), out.subspan<16, 8>());
  store_be64(h.origin_time.raw(), out.subspan<24, 8>());
  store_be64(h.receive_time.raw(), out.subspan<32, 8>());
  store_be64(h.transmit_time.raw(), out.subspan<40, 8>());
  return kNtpHeaderSize;
}

void write_transmit_time(NtpTimestamp t, std::span<std::uint8_t, kNtpHeaderSize> out) {
  store_be64(t.raw(), out.subspan<40, 8>());
}

}  // namespace stratumd
