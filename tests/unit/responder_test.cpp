#include "firmware/ntp/responder.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <string>
#include <vector>

#include "firmware/time/utc_text.hpp"
#include "firmware/util/big_endian.hpp"

namespace stratumd {
namespace {

constexpr std::int64_t kNs = 1'000'000'000;
const UtcTime kNow{Nanoseconds{1'790'000'000 * kNs + 250'000'000}};

std::vector<std::uint8_t> request(std::uint8_t version, std::uint8_t mode,
                                  std::uint64_t xmt = 0xDEADBEEFCAFEF00DULL) {
  std::vector<std::uint8_t> p(48, 0);
  p[0] = static_cast<std::uint8_t>((version << 3) | mode);
  p[2] = 10;
  for (int i = 0; i < 8; ++i) p[40 + i] = static_cast<std::uint8_t>(xmt >> (56 - 8 * i));
  return p;
}

ClockSnapshot locked_snapshot() {
  ClockSnapshot s;
  s.state = SyncState::locked;
  s.leap = LeapIndicator::none;
  s.stratum = 1;
  s.precision = -24;
  s.reference_id = make_refid("PPS");
  s.reference_time = kNow - std::chrono::milliseconds{600};
  s.root_delay = Nanoseconds{0};
  s.root_dispersion = std::chrono::microseconds{10};
  return s;
}

struct Reply {
  Response response;
  std::array<std::uint8_t, kMaxReplySize> bytes{};
  NtpHeader header() const {
    return parse_ntp_packet(std::span(bytes.data(), response.length)).packet.header;
  }
};

const RequestSource kClient{*IpAddress::parse("192.0.2.7"), 40123};

Reply answer(const std::vector<std::uint8_t>& req, const ClockSnapshot& snapshot,
             const RestrictTable& restrictions = RestrictTable{}, RateLimiter* limiter = nullptr,
             RequestSource source = kClient, Nanoseconds monotonic = std::chrono::seconds{1000}) {
  Reply r;
  RateLimiter own_limiter;
  r.response = handle_request(req, RequestContext{source, kNow, monotonic}, snapshot, restrictions,
                              limiter ? *limiter : own_limiter, r.bytes);
  if (r.response.needs_transmit_stamp)
    stamp_transmit(r.bytes, kNow + std::chrono::microseconds{15});
  return r;
}

TEST(Responder, AnswersClientWithServerMode) {
  const Reply r = answer(request(4, 3), locked_snapshot());
  ASSERT_EQ(r.response.outcome, RequestOutcome::answered);
  ASSERT_EQ(r.response.length, 48u);
  const NtpHeader h = r.header();
  EXPECT_EQ(h.mode, NtpMode::server);
  EXPECT_EQ(h.version, 4);
  EXPECT_EQ(h.leap, LeapIndicator::none);
  EXPECT_EQ(h.stratum, 1);
  EXPECT_EQ(h.precision, -24);
  EXPECT_EQ(h.poll, 10);
  EXPECT_EQ(h.reference_id, make_refid("PPS"));
  EXPECT_EQ(h.origin_time.raw(), 0xDEADBEEFCAFEF00DULL);
  EXPECT_EQ(h.receive_time, NtpTimestamp::from_utc(kNow));
  EXPECT_EQ(h.transmit_time, NtpTimestamp::from_utc(kNow + std::chrono::microseconds{15}));
  EXPECT_EQ(h.reference_time, NtpTimestamp::from_utc(kNow - std::chrono::milliseconds{600}));
  // Root dispersion grows with the age of the update: 10 us + 15 us/s * 0.6 s = 19 us.
  EXPECT_NEAR(to_seconds(h.root_dispersion.to_duration()), 19e-6, 16e-6);
  EXPECT_GT(h.root_dispersion.raw(), 0u);
}

// The answer's timestamps across NTP era 1 (2036-02-07 06:28:16, where the wire's seconds wrap)
// and 2038-01-19 03:14:08 (where a 32-bit time_t would): a client pivoting on its own clock reads
// back the served instants, the reference time from the era before included.
TEST(Responder, ServesAcrossTheNtpEraBoundaryAnd2038) {
  const UtcTime era_1{std::chrono::seconds{2'085'978'496}};
  const UtcTime y2038{std::chrono::seconds{2'147'483'648}};
  for (const UtcTime now :
       {era_1 + std::chrono::milliseconds{300}, y2038 - std::chrono::nanoseconds{1},
        y2038 + std::chrono::milliseconds{300}}) {
    ClockSnapshot snapshot = locked_snapshot();
    snapshot.reference_time = now - std::chrono::milliseconds{600};
    Reply r;
    RateLimiter limiter;
    r.response =
        handle_request(request(4, 3), RequestContext{kClient, now, std::chrono::seconds{1000}},
                       snapshot, RestrictTable{}, limiter, r.bytes);
    ASSERT_EQ(r.response.outcome, RequestOutcome::answered);
    stamp_transmit(r.bytes, now + std::chrono::microseconds{15});
    const NtpHeader h = r.header();
    const auto read_back = [&](NtpTimestamp t, UtcTime expected) {
      EXPECT_LE(std::chrono::abs(t.to_utc(now) - expected), std::chrono::nanoseconds{1})
          << utc_text(now);
    };
    read_back(h.receive_time, now);
    read_back(h.transmit_time, now + std::chrono::microseconds{15});
    read_back(h.reference_time, snapshot.reference_time);
    EXPECT_EQ(h.stratum, 1);
  }
}

TEST(Responder, EchoesEveryVersionFromOneToFour) {
  for (std::uint8_t v = 2; v <= 4; ++v) {
    const Reply r = answer(request(v, 3), locked_snapshot());
    ASSERT_EQ(r.response.outcome, RequestOutcome::answered);
    EXPECT_EQ(r.header().version, v);
  }
  // NTPv1 clients put 0 in the mode field.
  const Reply v1 = answer(request(1, 0), locked_snapshot());
  ASSERT_EQ(v1.response.outcome, RequestOutcome::answered);
  EXPECT_EQ(v1.header().version, 1);
  EXPECT_EQ(v1.header().mode, NtpMode::server);
}

TEST(Responder, DropsAndClassifiesBadRequests) {
  auto short_request = request(4, 3);
  short_request.resize(47);
  EXPECT_EQ(answer(short_request, locked_snapshot()).response.outcome,
            RequestOutcome::dropped_malformed);
  EXPECT_EQ(answer(request(0, 3), locked_snapshot()).response.outcome,
            RequestOutcome::dropped_bad_version);
  EXPECT_EQ(answer(request(5, 3), locked_snapshot()).response.outcome,
            RequestOutcome::dropped_bad_version);
  for (int mode : {0, 4, 6, 7}) {
    EXPECT_EQ(
        answer(request(4, static_cast<std::uint8_t>(mode)), locked_snapshot()).response.outcome,
        RequestOutcome::dropped_mode)
        << mode;
  }
  // Symmetric and broadcast packets go to the associations, unanswered by the responder.
  for (int mode : {1, 2, 5}) {
    const Reply r = answer(request(4, static_cast<std::uint8_t>(mode)), locked_snapshot());
    EXPECT_EQ(r.response.outcome, RequestOutcome::association_packet) << mode;
    EXPECT_FALSE(r.response.send()) << mode;
  }
  RestrictTable noserve;
  noserve.add(*IpPrefix::parse("0.0.0.0/0"), restrict_flag::noserve);
  EXPECT_EQ(answer(request(4, 1), locked_snapshot(), noserve).response.outcome,
            RequestOutcome::dropped_restricted);
}

TEST(Responder, UnsynchronisedAnswersCarryInitKissNeverStratumOne) {
  ClockSnapshot s;  // default: never synchronised
  s.precision = -24;
  const Reply r = answer(request(4, 3), s);
  ASSERT_EQ(r.response.outcome, RequestOutcome::answered);
  const NtpHeader h = r.header();
  EXPECT_EQ(h.leap, LeapIndicator::unsynchronised);
  EXPECT_EQ(h.stratum, 0);
  EXPECT_EQ(h.reference_id, make_refid("INIT"));
  EXPECT_TRUE(h.reference_time.is_zero());
}

TEST(Responder, UnsynchronisedAfterAStepSaysStep) {
  ClockSnapshot s = locked_snapshot();
  s.stratum = 16;
  s.leap = LeapIndicator::unsynchronised;
  s.state = SyncState::locking;
  s.has_stepped = true;
  const NtpHeader h = answer(request(4, 3), s).header();
  EXPECT_EQ(h.stratum, 0);
  EXPECT_EQ(h.reference_id, make_refid("STEP"));
}

TEST(Responder, UnknownKeyGetsCryptoNakNoLargerThanTheRequest) {
  auto req = request(4, 3);
  req.insert(req.end(), {0, 0, 0, 9});
  req.resize(req.size() + 20, 0x11);
  const Reply r = answer(req, locked_snapshot());
  ASSERT_EQ(r.response.outcome, RequestOutcome::crypto_nak);
  EXPECT_EQ(r.response.length, 52u);
  EXPECT_LE(r.response.length, req.size());
  EXPECT_EQ(r.bytes[48] | r.bytes[49] | r.bytes[50] | r.bytes[51], 0);
}

TEST(Responder, ClampsAbsurdPoll) {
  auto req = request(4, 3);
  req[2] = 100;
  EXPECT_EQ(answer(req, locked_snapshot()).header().poll, 17);
  req[2] = static_cast<std::uint8_t>(-5);
  EXPECT_EQ(answer(req, locked_snapshot()).header().poll, 4);
}

TEST(Responder, RestrictIgnoreNoserveAndVersion) {
  RestrictTable table;
  table.add(*IpPrefix::parse("192.0.2.0/24"), restrict_flag::noserve);
  table.add(*IpPrefix::parse("192.0.2.7"), restrict_flag::ignore);
  table.add(*IpPrefix::parse("198.51.100.0/24"), restrict_flag::version);
  EXPECT_EQ(answer(request(4, 3), locked_snapshot(), table).response.outcome,
            RequestOutcome::dropped_restricted);
  // Even a malformed packet from an ignored address counts as restricted: it is never parsed.
  EXPECT_EQ(answer(std::vector<std::uint8_t>(3), locked_snapshot(), table).response.outcome,
            RequestOutcome::dropped_restricted);
  const RequestSource neighbour{*IpAddress::parse("192.0.2.8"), 123};
  EXPECT_EQ(answer(request(4, 3), locked_snapshot(), table, nullptr, neighbour).response.outcome,
            RequestOutcome::dropped_restricted);
  const RequestSource old_client{*IpAddress::parse("198.51.100.1"), 123};
  EXPECT_EQ(answer(request(3, 3), locked_snapshot(), table, nullptr, old_client).response.outcome,
            RequestOutcome::dropped_restricted);
  EXPECT_EQ(answer(request(4, 3), locked_snapshot(), table, nullptr, old_client).response.outcome,
            RequestOutcome::answered);
}

TEST(Responder, NoqueryDropsModeSixAsRestricted) {
  RestrictTable table;
  table.add(*IpPrefix::parse("0.0.0.0/0"), restrict_flag::noquery);
  EXPECT_EQ(answer(request(2, 6), locked_snapshot(), table).response.outcome,
            RequestOutcome::dropped_restricted);
  EXPECT_EQ(answer(request(2, 6), locked_snapshot()).response.outcome,
            RequestOutcome::dropped_mode);
}

TEST(Responder, LimitedDropsAndKodSendsOneRateKissPerInterval) {
  RestrictTable table;
  table.add(*IpPrefix::parse("0.0.0.0/0"), restrict_flag::limited | restrict_flag::kod);
  RateLimiter limiter(DiscardParams{3, 2, 0});
  Nanoseconds t = std::chrono::seconds{1000};
  EXPECT_EQ(answer(request(4, 3), locked_snapshot(), table, &limiter, kClient, t).response.outcome,
            RequestOutcome::answered);
  // Back to back: under the 2 s minimum, limited; the first violation gets a RATE kiss.
  t += std::chrono::milliseconds{100};
  const Reply kiss = answer(request(4, 3), locked_snapshot(), table, &limiter, kClient, t);
  ASSERT_EQ(kiss.response.outcome, RequestOutcome::kod_sent);
  const NtpHeader h = kiss.header();
  EXPECT_EQ(h.stratum, 0);
  EXPECT_EQ(h.leap, LeapIndicator::unsynchronised);
  EXPECT_EQ(h.reference_id, make_refid("RATE"));
  EXPECT_EQ(h.origin_time.raw(), 0xDEADBEEFCAFEF00DULL);
  EXPECT_EQ(h.receive_time.raw(), 0xDEADBEEFCAFEF00DULL);  // no time information leaks
  EXPECT_EQ(h.transmit_time.raw(), 0xDEADBEEFCAFEF00DULL);
  EXPECT_GE(h.poll, 4);
  // Further violations within the average interval: dropped, no second kiss.
  for (int i = 0; i < 5; ++i) {
    t += std::chrono::milliseconds{100};
    EXPECT_EQ(
        answer(request(4, 3), locked_snapshot(), table, &limiter, kClient, t).response.outcome,
        RequestOutcome::dropped_rate_limited);
  }
}

TEST(Responder, PrecisionFromReadCost) {
  EXPECT_EQ(precision_from_read_cost(Nanoseconds{25}), -25);  // 2^-25 = 29.8 ns
  EXPECT_EQ(precision_from_read_cost(Nanoseconds{30}), -24);
  EXPECT_EQ(precision_from_read_cost(std::chrono::microseconds{1}), -19);
  EXPECT_EQ(precision_from_read_cost(std::chrono::seconds{2}), 0);
}

TEST(Responder, RandomBytesNeverCrashAndNeverAmplify) {
  std::uint64_t state = 0x9E3779B97F4A7C15ULL;
  for (int i = 0; i < 20000; ++i) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    std::vector<std::uint8_t> bytes(static_cast<std::size_t>(state % 200));
    for (auto& b : bytes) {
      state ^= state << 13;
      state ^= state >> 7;
      state ^= state << 17;
      b = static_cast<std::uint8_t>(state);
    }
    const Reply r = answer(bytes, locked_snapshot());
    if (r.response.outcome == RequestOutcome::answered) {
      EXPECT_LE(r.response.length, bytes.size());
    }
  }
}

// Known answers: MD5 and SHA-1 as ntpd computes them (digest of key, then packet), checked
// against Python's hashlib; AES-128-CMAC from RFC 4493's examples.
TEST(PacketMac, KnownAnswers) {
  MacEngine engine;
  std::vector<std::uint8_t> data(48);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i);
  const auto hex = [](std::span<const std::uint8_t> bytes) {
    std::string out;
    char two[3];
    for (std::uint8_t b : bytes) {
      std::snprintf(two, sizeof two, "%02x", b);
      out += two;
    }
    return out;
  };
  std::array<std::uint8_t, 20> digest{};
  const SymmetricKey md5{1, KeyType::md5, {'s', 'e', 'c', 'r', 'e', 't'}};
  ASSERT_TRUE(engine.compute(md5, data, digest));
  EXPECT_EQ(hex(std::span(digest).first(16)), "a03f32571504b4138d76d44a54fe953c");
  const std::string ascii = "0123456789abcdefghij";
  const SymmetricKey sha1{2, KeyType::sha1, {ascii.begin(), ascii.end()}};
  ASSERT_TRUE(engine.compute(sha1, data, digest));
  EXPECT_EQ(hex(digest), "65951dfc74f981a221696758da55e9236f9c69d7");
  const SymmetricKey aes{3,
                         KeyType::aes128_cmac,
                         {0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6, 0xab, 0xf7, 0x15, 0x88,
                          0x09, 0xcf, 0x4f, 0x3c}};
  ASSERT_TRUE(engine.compute(aes, {}, digest));
  EXPECT_EQ(hex(std::span(digest).first(16)), "bb1d6929e95937287fa37d129b756746");
  const std::vector<std::uint8_t> block{0x6b, 0xc1, 0xbe, 0xe2, 0x2e, 0x40, 0x9f, 0x96,
                                        0xe9, 0x3d, 0x7e, 0x11, 0x73, 0x93, 0x17, 0x2a};
  ASSERT_TRUE(engine.compute(aes, block, digest));
  EXPECT_EQ(hex(std::span(digest).first(16)), "070a16b46b4d4144f79bdd9dd04a287c");
  EXPECT_TRUE(engine.verify(aes, block, std::span(digest).first(16)));
  digest[3] ^= 1;
  EXPECT_FALSE(engine.verify(aes, block, std::span(digest).first(16)));
  EXPECT_FALSE(engine.verify(aes, block, std::span(digest).first(15)));
}

struct Keyed {
  AuthSettings auth;
  MacEngine engine;
  Keyed() {
    auth.keys[1] = SymmetricKey{1, KeyType::sha1, {'k', 'e', 'y', 'o', 'n', 'e'}};
    auth.keys[2] = SymmetricKey{2, KeyType::md5, {'t', 'w', 'o'}};
    auth.keys[3] =
        SymmetricKey{3, KeyType::md5, {'n', 'o', 't', 't', 'r', 'u', 's', 't', 'e', 'd'}};
    auth.trusted = {{1, "/c", 1}, {2, "/c", 1}};
  }
  std::vector<std::uint8_t> signed_request(std::uint32_t key_id, std::uint32_t as_id = 0) {
    auto req = request(4, 3);
    const SymmetricKey& key = auth.keys.at(key_id);
    const std::uint32_t id = as_id ? as_id : key_id;
    req.insert(req.end(), {std::uint8_t(id >> 24), std::uint8_t(id >> 16), std::uint8_t(id >> 8),
                           std::uint8_t(id)});
    std::array<std::uint8_t, 20> digest{};
    engine.compute(key, std::span(req).first(48), digest);
    req.insert(req.end(), digest.begin(), digest.begin() + mac_digest_length(key.type));
    return req;
  }
  Reply answer_with_keys(const std::vector<std::uint8_t>& req, const RestrictTable& table = {}) {
    Reply r;
    RateLimiter limiter;
    const RequestAuth request_auth{auth, engine};
    r.response = handle_request(req, RequestContext{kClient, kNow, std::chrono::seconds{1000}},
                                locked_snapshot(), table, limiter, r.bytes, &request_auth);
    if (r.response.needs_transmit_stamp) stamp_transmit(r.bytes, kNow);
    EXPECT_TRUE(sign_reply(r.response, r.bytes, engine));
    return r;
  }
};

TEST(Responder, AnAuthenticatedRequestGetsAReplySignedWithTheSameKey) {
  for (std::uint32_t id : {1u, 2u}) {
    Keyed k;
    const Reply r = k.answer_with_keys(k.signed_request(id));
    ASSERT_EQ(r.response.outcome, RequestOutcome::answered) << id;
    const SymmetricKey& key = k.auth.keys.at(id);
    ASSERT_EQ(r.response.length, 48 + 4 + mac_digest_length(key.type));
    const ParseResult parsed = parse_ntp_packet(std::span(r.bytes.data(), r.response.length));
    ASSERT_TRUE(parsed.packet.has_mac);
    EXPECT_EQ(parsed.packet.mac.key_id, id);
    EXPECT_TRUE(k.engine.verify(key, std::span(r.bytes).first(48),
                                std::span(r.bytes).subspan(52, mac_digest_length(key.type))));
    EXPECT_EQ(parsed.packet.header.stratum, 1);
  }
}

TEST(Responder, BadMacsGetACryptoNakAndNoTime) {
  Keyed k;
  auto wrong_digest = k.signed_request(1);
  wrong_digest.back() ^= 0x80;
  auto key_claimed = k.signed_request(2, 1);  // MD5 digest length under SHA-1 key 1
  for (const auto& req : {wrong_digest, k.signed_request(3) /* untrusted */,
                          k.signed_request(2, 7) /* unknown */, key_claimed}) {
    const Reply r = k.answer_with_keys(req);
    EXPECT_EQ(r.response.outcome, RequestOutcome::crypto_nak);
    EXPECT_EQ(r.response.length, 52u);
    EXPECT_EQ(r.bytes[48] | r.bytes[49] | r.bytes[50] | r.bytes[51], 0);
    EXPECT_EQ(r.response.sign_with, nullptr);
  }
  // A truncated MAC is not a MAC: the packet is malformed and dropped.
  auto truncated = k.signed_request(1);
  truncated.resize(truncated.size() - 3);
  EXPECT_EQ(k.answer_with_keys(truncated).response.outcome, RequestOutcome::dropped_malformed);
}

// What the associations use for `key N`: a MAC appended to a packet verifies under the same
// trusted key; anything else is told apart (none, crypto-NAK, bad).
TEST(PacketMac, AppendedMacsVerifyAndEveryForgeryIsBad) {
  Keyed k;
  for (std::uint32_t id : {1u, 2u}) {
    std::array<std::uint8_t, 48 + 4 + 20> packet{};
    std::copy_n(request(4, 1).begin(), 48, packet.begin());
    const std::size_t length = append_mac(packet, 48, k.auth.keys.at(id), k.engine);
    ASSERT_EQ(length, 48 + 4 + mac_digest_length(k.auth.keys.at(id).type));
    const auto bytes = std::span<const std::uint8_t>(packet.data(), length);
    PacketAuth a = check_packet_mac(parse_ntp_packet(bytes).packet, bytes, k.auth, k.engine);
    EXPECT_EQ(a.result, PacketAuth::Result::valid) << id;
    EXPECT_EQ(a.key_id, id);
    packet[10] ^= 1;  // the header changed in flight
    a = check_packet_mac(parse_ntp_packet(bytes).packet, bytes, k.auth, k.engine);
    EXPECT_EQ(a.result, PacketAuth::Result::bad) << id;
  }
  const auto plain = request(4, 1);
  EXPECT_EQ(check_packet_mac(parse_ntp_packet(plain).packet, plain, k.auth, k.engine).result,
            PacketAuth::Result::none);
  auto nak = request(4, 1);
  nak.resize(52, 0);
  EXPECT_EQ(check_packet_mac(parse_ntp_packet(nak).packet, nak, k.auth, k.engine).result,
            PacketAuth::Result::crypto_nak);
  for (const auto& forged : {k.signed_request(3) /* untrusted */, k.signed_request(2, 7)}) {
    EXPECT_EQ(check_packet_mac(parse_ntp_packet(forged).packet, forged, k.auth, k.engine).result,
              PacketAuth::Result::bad);
  }
  std::array<std::uint8_t, 60> small{};
  EXPECT_EQ(append_mac(small, 48, k.auth.keys.at(1), k.engine), 0u) << "no room for SHA-1";
}

TEST(Responder, NotrustServesOnlyTrustedAuthenticatedRequests) {
  Keyed k;
  RestrictTable table;
  table.add(*IpPrefix::parse("0.0.0.0/0"), restrict_flag::notrust);
  EXPECT_EQ(k.answer_with_keys(request(4, 3), table).response.outcome,
            RequestOutcome::dropped_restricted);
  EXPECT_EQ(k.answer_with_keys(k.signed_request(1), table).response.outcome,
            RequestOutcome::answered);
}

// Interleaved mode: a client naming a reply still remembered is told when that reply left.
const NtpTimestamp kEarlierReceive = NtpTimestamp::from_utc(kNow - std::chrono::seconds{1});
const NtpTimestamp kEarlierTransmit =
    NtpTimestamp::from_utc(kNow - std::chrono::seconds{1} + std::chrono::microseconds{7});

std::vector<std::uint8_t> request(NtpTimestamp origin, NtpTimestamp receive,
                                  NtpTimestamp transmit) {
  std::vector<std::uint8_t> p = request(4, 3, transmit.raw());
  store_be64(origin.raw(), std::span(p).subspan<24, 8>());
  store_be64(receive.raw(), std::span(p).subspan<32, 8>());
  return p;
}

Reply answer_interleaved(const std::vector<std::uint8_t>& req, const InterleavedTimestamps* table) {
  Reply r;
  RateLimiter limiter;
  r.response = handle_request(req, RequestContext{kClient, kNow, std::chrono::seconds{1000}},
                              locked_snapshot(), RestrictTable{}, limiter, r.bytes, nullptr, table);
  return r;
}

const NtpTimestamp kClientReceive{0x1111'2222'3333'4444ULL};
const NtpTimestamp kClientTransmit{0x5555'6666'7777'8888ULL};

TEST(InterleavedReplies, ARequestNamingARememberedReplyGetsThatReplysTransmitTime) {
  InterleavedTimestamps table;
  table.remember(kEarlierReceive, kEarlierTransmit);
  const Reply r =
      answer_interleaved(request(kEarlierReceive, kClientReceive, kClientTransmit), &table);
  ASSERT_EQ(r.response.outcome, RequestOutcome::answered);
  EXPECT_TRUE(r.response.interleaved);
  EXPECT_FALSE(r.response.needs_transmit_stamp);  // T3 is already the earlier reply's
  const NtpHeader h = r.header();
  EXPECT_EQ(h.origin_time, kClientReceive);
  EXPECT_EQ(h.receive_time, NtpTimestamp::from_utc(kNow));
  EXPECT_EQ(h.transmit_time, kEarlierTransmit);
}

TEST(InterleavedReplies, BasicClientsAndUnknownRepliesGetBasicReplies) {
  InterleavedTimestamps table;
  table.remember(kEarlierReceive, kEarlierTransmit);
  const struct {
    const char* what;
    std::vector<std::uint8_t> req;
    const InterleavedTimestamps* table;
  } cases[] = {
      {"receive equal to transmit (a basic client)",
       request(kEarlierReceive, kClientTransmit, kClientTransmit), &table},
      {"zero origin", request(NtpTimestamp{}, kClientReceive, kClientTransmit), &table},
      {"an origin naming no reply",
       request(NtpTimestamp{kEarlierReceive.raw() + 1}, kClientReceive, kClientTransmit), &table},
      {"no table (interleaved mode off)", request(kEarlierReceive, kClientReceive, kClientTransmit),
       nullptr},
  };
  for (const auto& c : cases) {
    const Reply r = answer_interleaved(c.req, c.table);
    ASSERT_EQ(r.response.outcome, RequestOutcome::answered) << c.what;
    EXPECT_FALSE(r.response.interleaved) << c.what;
    EXPECT_TRUE(r.response.needs_transmit_stamp) << c.what;
    EXPECT_EQ(r.header().origin_time, kClientTransmit) << c.what;
  }
}

}  // namespace
}  // namespace stratumd
