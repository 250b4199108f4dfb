#include "firmware/ntp/ntp_packet.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "firmware/util/big_endian.hpp"

namespace stratumd {
namespace {

std::vector<std::uint8_t> client_request(std::uint8_t version = 4, std::uint8_t mode = 3) {
  std::vector<std::uint8_t> p(48, 0);
  p[0] = static_cast<std::uint8_t>((version << 3) | mode);
  p[2] = 6;
  p[3] = static_cast<std::uint8_t>(-20);
  for (int i = 40; i < 48; ++i) p[i] = static_cast<std::uint8_t>(i);
  return p;
}

void append_extension(std::vector<std::uint8_t>& p, std::uint16_t type, std::uint16_t length) {
  const std::size_t at = p.size();
  p.resize(at + length, 0xAB);
  store_be16(type, std::span<std::uint8_t, 2>(p.data() + at, 2));
  store_be16(length, std::span<std::uint8_t, 2>(p.data() + at + 2, 2));
}

TEST(NtpPacket, HeaderRoundTrip) {
  NtpHeader h;
  h.leap = LeapIndicator::insert_second;
  h.version = 3;
  h.mode = NtpMode::server;
  h.stratum = 1;
  h.poll = -3;
  h.precision = -23;
  h.root_delay = NtpShort{0x12345};
  h.root_dispersion = NtpShort{0xABCDE};
  h.reference_id = make_refid("GPS");
  h.reference_time = NtpTimestamp{0x0102030405060708ULL};
  h.origin_time = NtpTimestamp{0x1112131415161718ULL};
  h.receive_time = NtpTimestamp{0x2122232425262728ULL};
  h.transmit_time = NtpTimestamp{0xF1F2F3F4F5F6F7F8ULL};
  std::array<std::uint8_t, 48> bytes{};
  EXPECT_EQ(serialize_ntp_header(h, bytes), 48u);
  EXPECT_EQ(bytes[0], 0x5C);  // LI 1, VN 3, mode 4
  EXPECT_EQ(bytes[12], 'G');
  const ParseResult r = parse_ntp_packet(bytes);
  ASSERT_EQ(r.status, ParseStatus::ok);
  EXPECT_EQ(r.packet.header.leap, h.leap);
  EXPECT_EQ(r.packet.header.version, 3);
  EXPECT_EQ(r.packet.header.mode, NtpMode::server);
  EXPECT_EQ(r.packet.header.poll, -3);
  EXPECT_EQ(r.packet.header.precision, -23);
  EXPECT_EQ(r.packet.header.root_delay, h.root_delay);
  EXPECT_EQ(r.packet.header.root_dispersion, h.root_dispersion);
  EXPECT_EQ(r.packet.header.reference_id, h.reference_id);
  EXPECT_EQ(r.packet.header.reference_time, h.reference_time);
  EXPECT_EQ(r.packet.header.origin_time, h.origin_time);
  EXPECT_EQ(r.packet.header.receive_time, h.receive_time);
  EXPECT_EQ(r.packet.header.transmit_time, h.transmit_time);
  EXPECT_FALSE(r.packet.has_mac);
}

TEST(NtpPacket, RejectsShortPackets) {
  for (std::size_t n = 0; n < 48; ++n) {
    auto p = client_request();
    p.resize(n);
    EXPECT_EQ(parse_ntp_packet(p).status, ParseStatus::too_short) << n;
  }
}

TEST(NtpPacket, RejectsVersionZeroAndAboveFour) {
  EXPECT_EQ(parse_ntp_packet(client_request(0)).status, ParseStatus::bad_version);
  for (std::uint8_t v = 5; v <= 7; ++v) {
    EXPECT_EQ(parse_ntp_packet(client_request(v)).status, ParseStatus::bad_version);
  }
  for (std::uint8_t v = 1; v <= 4; ++v)
    EXPECT_EQ(parse_ntp_packet(client_request(v)).status, ParseStatus::ok);
}

TEST(NtpPacket, DetectsMd5AndSha1Macs) {
  for (std::size_t digest : {16u, 20u}) {
    auto p = client_request();
    p.insert(p.end(), {0, 0, 0, 42});
    p.resize(p.size() + digest, 0x5A);
    const ParseResult r = parse_ntp_packet(p);
    ASSERT_EQ(r.status, ParseStatus::ok) << digest;
    EXPECT_TRUE(r.packet.has_mac);
    EXPECT_EQ(r.packet.mac.key_id, 42u);
    EXPECT_EQ(r.packet.mac.offset, 48u);
    EXPECT_EQ(r.packet.mac.digest_length, digest);
  }
}

TEST(NtpPacket, CryptoNakIsAFourByteMac) {
  auto p = client_request();
  p.insert(p.end(), {0, 0, 0, 0});
  const ParseResult r = parse_ntp_packet(p);
  ASSERT_EQ(r.status, ParseStatus::ok);
  EXPECT_TRUE(r.packet.has_mac);
  EXPECT_EQ(r.packet.mac.digest_length, 0u);
}

TEST(NtpPacket, WalksExtensionFieldsThenMac) {
  auto p = client_request();
  append_extension(p, 0x0104, 32);
  append_extension(p, 0x0204, 28);
  p.insert(p.end(), {0, 0, 0, 7});
  p.resize(p.size() + 20, 1);
  const ParseResult r = parse_ntp_packet(p);
  ASSERT_EQ(r.status, ParseStatus::ok);
  EXPECT_EQ(r.packet.extension_field_count, 2u);
  EXPECT_EQ(r.packet.extension_bytes, 60u);
  EXPECT_TRUE(r.packet.has_mac);
  EXPECT_EQ(r.packet.mac.key_id, 7u);
  EXPECT_EQ(r.packet.mac.offset, 48u + 60u);
}

TEST(NtpPacket, RejectsBrokenExtensionFields) {
  auto overrun = client_request();
  append_extension(overrun, 1, 32);
  store_be16(400, std::span<std::uint8_t, 2>(overrun.data() + 50, 2));  // claims more than is there
  EXPECT_EQ(parse_ntp_packet(overrun).status, ParseStatus::bad_extension_field);

  auto unaligned = client_request();
  append_extension(unaligned, 1, 32);
  store_be16(30, std::span<std::uint8_t, 2>(unaligned.data() + 50, 2));
  EXPECT_EQ(parse_ntp_packet(unaligned).status, ParseStatus::bad_extension_field);

  auto zero_length = client_request();
  append_extension(zero_length, 1, 32);
  store_be16(0, std::span<std::uint8_t, 2>(zero_length.data() + 50, 2));  // would loop forever
  EXPECT_EQ(parse_ntp_packet(zero_length).status, ParseStatus::bad_extension_field);

  auto odd_tail = client_request();
  odd_tail.resize(48 + 7);
  EXPECT_EQ(parse_ntp_packet(odd_tail).status, ParseStatus::bad_extension_field);

  // NTPv3 has no extension fields: anything but a MAC after the header is malformed.
  auto v3 = client_request(3);
  append_extension(v3, 1, 32);
  EXPECT_EQ(parse_ntp_packet(v3).status, ParseStatus::bad_extension_field);
}

TEST(NtpPacket, RejectsOverlongPackets) {
  auto p = client_request();
  p.resize(kMaxNtpPacketSize + 1);
  EXPECT_EQ(parse_ntp_packet(p).status, ParseStatus::too_long);
}

TEST(NtpPacket, RefidPacksAscii) {
  EXPECT_EQ(make_refid("GPS"), 0x47505300u);
  EXPECT_EQ(make_refid("INIT"), 0x494E4954u);
}

}  // namespace
}  // namespace stratumd
