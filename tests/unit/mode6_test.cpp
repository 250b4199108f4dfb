#include "firmware/control/mode6.hpp"
#include "firmware/control/metrics_text.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "firmware/control/control_variables.hpp"

namespace stratumd {
namespace {

std::vector<std::uint8_t> request(std::uint8_t opcode, std::uint16_t association,
                                  std::uint8_t version = 2, std::uint16_t sequence = 0x1234) {
  std::vector<std::uint8_t> r(12, 0);
  r[0] = static_cast<std::uint8_t>((version << 3) | 6);
  r[1] = opcode;
  r[2] = static_cast<std::uint8_t>(sequence >> 8);
  r[3] = static_cast<std::uint8_t>(sequence);
  r[6] = static_cast<std::uint8_t>(association >> 8);
  r[7] = static_cast<std::uint8_t>(association);
  return r;
}

struct Fragment {
  std::uint8_t byte0, byte1;
  std::uint16_t sequence, status, association, offset, count;
  std::string data;
  std::size_t size;
};

std::vector<Fragment> ask(const std::vector<std::uint8_t>& req, const ControlVariables& vars,
                          Mode6Outcome* outcome = nullptr) {
  std::vector<Fragment> out;
  const Mode6Outcome o = mode6_respond(req, vars, [&](std::span<const std::uint8_t> f) {
    const auto u16 = [&](std::size_t i) {
      return static_cast<std::uint16_t>((f[i] << 8) | f[i + 1]);
    };
    Fragment x{f[0], f[1], u16(2), u16(4), u16(6), u16(8), u16(10), {}, f.size()};
    x.data.assign(reinterpret_cast<const char*>(f.data()) + 12, x.count);
    out.push_back(x);
  });
  if (outcome) *outcome = o;
  return out;
}

ControlVariables sample_variables(std::size_t system_text_length = 200) {
  ControlVariables v;
  v.system_status = 0x0114;
  std::string text = "stratum=1, rootdelay=0.000, rootdisp=0.123, tc=4, ";
  while (text.size() < system_text_length) text += "x";
  v.system_variables.assign(text);
  v.association_count = 1;
  v.associations[0].id = 1;
  v.associations[0].peer_status = peer_status_word(true, 7);
  v.associations[0].variables.assign("srcadr=127.127.20.0, srchost=\"GPS_NMEA(0)\"");
  v.associations[0].clock_variables.assign("name=\"GPS_NMEA(0)\"");
  return v;
}

TEST(Mode6, ReadvarAnswersWithTheRequestsVersionAndSequence) {
  const auto f = ask(request(2, 0), sample_variables());
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].byte0 & 0x3F, 0x16);  // what ntpstat checks: version 2, mode 6
  EXPECT_EQ(f[0].byte1, 0x82);         // response, opcode 2, no More
  EXPECT_EQ(f[0].sequence, 0x1234);
  EXPECT_EQ(f[0].status, 0x0114);
  EXPECT_TRUE(f[0].data.starts_with("stratum=1, rootdelay="));
  EXPECT_EQ(f[0].size % 4, 0u);
  EXPECT_EQ((ask(request(2, 0, 4), sample_variables())[0].byte0 >> 3) & 7, 4);
}

TEST(Mode6, LongTextIsSplitIntoFragmentsOf468WithMoreAndOffsets) {
  const auto f = ask(request(2, 0), sample_variables(1000));
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[0].count, 468);
  EXPECT_TRUE(f[0].byte1 & 0x20);
  EXPECT_TRUE(f[1].byte1 & 0x20);
  EXPECT_FALSE(f[2].byte1 & 0x20);
  EXPECT_EQ(f[1].offset, 468);
  EXPECT_EQ(f[2].offset, 936);
  EXPECT_EQ(f[0].data + f[1].data + f[2].data,
            std::string(sample_variables(1000).system_variables.view()));
}

TEST(Mode6, ReadstatListsAssociationsWithPeerStatus) {
  const auto f = ask(request(1, 0), sample_variables());
  ASSERT_EQ(f.size(), 1u);
  ASSERT_EQ(f[0].data.size(), 4u);
  EXPECT_EQ(static_cast<std::uint8_t>(f[0].data[1]), 1);  // association 1
  EXPECT_EQ(static_cast<std::uint8_t>(f[0].data[2]),
            0x97);  // configured, reachable, PPS peer ('o')
}

TEST(Mode6, PeerAndClockVariables) {
  const auto peer = ask(request(2, 1), sample_variables());
  ASSERT_EQ(peer.size(), 1u);
  EXPECT_NE(peer[0].data.find("srchost=\"GPS_NMEA(0)\""), std::string::npos);
  const auto clock = ask(request(4, 1), sample_variables());
  ASSERT_EQ(clock.size(), 1u);
  EXPECT_EQ(clock[0].data, "name=\"GPS_NMEA(0)\"");
}

TEST(Mode6, ErrorsAndRefusals) {
  Mode6Outcome o{};
  const auto bad_assoc = ask(request(2, 9), sample_variables(), &o);
  EXPECT_EQ(o, Mode6Outcome::unknown_association);
  ASSERT_EQ(bad_assoc.size(), 1u);
  EXPECT_TRUE(bad_assoc[0].byte1 & 0x40);
  EXPECT_EQ(bad_assoc[0].status >> 8, 4);  // CERR_BADASSOC
  const auto write = ask(request(3, 0), sample_variables(), &o);
  EXPECT_EQ(o, Mode6Outcome::refused_write);
  EXPECT_TRUE(write[0].byte1 & 0x40);
  EXPECT_EQ(write[0].status >> 8, 1);  // CERR_PERMISSION
  const auto nonce = ask(request(12, 0), sample_variables(), &o);
  EXPECT_EQ(o, Mode6Outcome::unknown_opcode);
  EXPECT_EQ(nonce[0].status >> 8, 3);  // CERR_BADOP: ntpq's mrulist says the server lacks it
  // An MRU list request without ntpd's nonce: silence, as ntpd (no answer to a spoofed source).
  EXPECT_TRUE(ask(request(10, 0), sample_variables(), &o).empty());
  EXPECT_EQ(o, Mode6Outcome::malformed);
  auto response_bit = request(2, 0);
  response_bit[1] |= 0x80;
  EXPECT_TRUE(ask(response_bit, sample_variables(), &o).empty());
  EXPECT_EQ(o, Mode6Outcome::malformed);
  auto short_request = request(2, 0);
  short_request.resize(11);
  EXPECT_TRUE(ask(short_request, sample_variables(), &o).empty());
  auto lying_count = request(2, 0);
  lying_count[11] = 200;  // claims data it does not carry
  EXPECT_TRUE(ask(lying_count, sample_variables(), &o).empty());
}

// A clock locked to a PPS at stratum 1.
ClockSnapshot locked_to_pps() {
  ClockSnapshot s;
  s.state = SyncState::locked;
  s.stratum = 1;
  s.leap = LeapIndicator::none;
  s.reference_id = make_refid("PPS");
  return s;
}

TEST(ControlVariables, NtpstatsFourVariablesComeFirstAndStatusWordsEncodeTheSource) {
  const ClockSnapshot s = locked_to_pps();
  ReferenceReport ref;
  ref.pps = true;
  ref.reach = 1;
  ControlVariables v;
  render_control_variables(s, LoopStatus{}, UtcTime{std::chrono::seconds{1'790'000'000}}, ref,
                           "stratumd test", v);
  const std::string_view sys = v.system_variables.view();
  for (const char* name : {"stratum=1", "rootdisp=", "rootdelay=", "tc="}) {
    const auto at = sys.find(name);
    ASSERT_NE(at, std::string_view::npos) << name;
    EXPECT_LT(at, kMode6MaxData) << name;
  }
  EXPECT_EQ(v.system_status >> 14, 0);          // leap none
  EXPECT_EQ((v.system_status >> 8) & 0x3F, 1);  // sync_pps
  EXPECT_EQ(v.associations[0].peer_status >> 8, 0x97);
  ClockSnapshot unsynced;
  render_control_variables(unsynced, LoopStatus{}, UtcTime{}, ReferenceReport{}, "x", v);
  EXPECT_EQ(v.system_status >> 14, 3);
  EXPECT_EQ((v.associations[0].peer_status >> 8) & 7, 0);  // rejected: ' '
}

TEST(ControlVariables, AssociationsShowTheirModeKeyFlashAndRefusals) {
  ClockSnapshot s;
  ReferenceReport ref;
  UpstreamReport passive;
  passive.address = "10.77.0.2";
  passive.host_mode = 2;
  passive.peer_poll_log2 = 3;
  passive.key_id = 1;
  passive.flash = 0x10;
  passive.received = 7;
  passive.refused_auth = 2;
  passive.refused_duplicate = 1;
  passive.selection = 4;
  passive.reach = 0x3f;
  UpstreamReport broadcast;
  broadcast.address = "10.77.0.1";
  broadcast.host_mode = 6;
  ref.upstreams = {passive, broadcast};
  ControlVariables v;
  render_control_variables(s, LoopStatus{}, UtcTime{std::chrono::seconds{1'790'000'000}}, ref,
                           "stratumd test", v);
  const std::string_view first = v.associations[1].variables.view();
  for (const char* wanted : {"srcadr=10.77.0.2", "hmode=2", "pmode=1", "ppoll=3", "keyid=1",
                             "flash=0x10", "received=7", "badauth=2", "oldpkt=1"}) {
    EXPECT_NE(first.find(wanted), std::string_view::npos) << wanted << " in " << first;
  }
  EXPECT_EQ((v.associations[1].peer_status >> 8) & 7, 4);  // candidate: '+'
  const std::string_view second = v.associations[2].variables.view();
  EXPECT_NE(second.find("hmode=6"), std::string_view::npos) << second;  // ntpq: 'b'
  EXPECT_NE(second.find("pmode=5"), std::string_view::npos) << second;
}

}  // namespace
}  // namespace stratumd

namespace stratumd {
namespace {

TEST(Metrics, RenderTheStateAndCountersInTheExpositionFormat) {
  MetricsInput in;
  in.snapshot.stratum = 1;
  in.snapshot.leap = LeapIndicator::none;
  in.loop.state = SyncState::locked;
  in.loop.last_offset = std::chrono::nanoseconds{-1500};
  in.loop.frequency_ppm = -17.5;
  in.version = "0.1.0";
  in.snapshot.reference_time = UtcTime{std::chrono::seconds{1'790'000'000}};
  in.pps_present = true;
  in.requests_received = 12;
  in.requests_by_outcome[static_cast<std::size_t>(RequestOutcome::answered)] = 10;
  in.requests_by_outcome[static_cast<std::size_t>(RequestOutcome::dropped_rate_limited)] = 2;
  const std::string text = render_metrics(in);
  EXPECT_NE(text.find("\nstratumd_offset_seconds -1.5e-06\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nstratumd_frequency_adjustment_ratio -1.75e-05\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("\nstratumd_build_info{version=\"0.1.0\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("\nstratumd_reference_timestamp_seconds 1790000000\n"), std::string::npos);
  EXPECT_NE(text.find("\nstratumd_stratum 1\n"), std::string::npos);
  EXPECT_NE(text.find("\nstratumd_state{state=\"locked\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("\nstratumd_state{state=\"holdover\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("\nstratumd_requests_total{outcome=\"answered\"} 10\n"), std::string::npos);
  EXPECT_NE(text.find("\nstratumd_requests_total{outcome=\"rate-limited\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("# TYPE stratumd_requests_total counter\n"), std::string::npos);
  in.snapshot.leap = LeapIndicator::unsynchronised;
  EXPECT_NE(render_metrics(in).find("\nstratumd_stratum 16\n"), std::string::npos);
}

}  // namespace
}  // namespace stratumd

namespace stratumd {
namespace {

std::vector<std::uint8_t> read_named(const std::string& names, std::uint16_t association = 0) {
  auto r = request(mode6_opcode::read_variables, association);
  r[10] = static_cast<std::uint8_t>(names.size() >> 8);
  r[11] = static_cast<std::uint8_t>(names.size());
  r.insert(r.end(), names.begin(), names.end());
  while (r.size() % 4) r.push_back(0);
  return r;
}

TEST(Mode6, ReadVariablesAnswersOnlyTheNamesAskedFor) {
  ControlVariables v = sample_variables();
  v.system_variables.assign(
      "stratum=1, version=\"stratumd 0.1.0, built\", offset=0.001, refid=PPS");
  auto f = ask(read_named("offset,stratum"), v);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].data, "offset=0.001, stratum=1");
  // A quoted value with a comma stays whole.
  f = ask(read_named(" version "), v);
  EXPECT_EQ(f[0].data, "version=\"stratumd 0.1.0, built\"");
  // Peer variables by association.
  f = ask(read_named("srchost", 1), v);
  EXPECT_EQ(f[0].data, "srchost=\"GPS_NMEA(0)\"");
  // An unknown name is an error (CERR_UNKNOWNVAR), as in ntpd: no variables at all.
  Mode6Outcome outcome{};
  f = ask(read_named("stratum,nosuch"), v, &outcome);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(outcome, Mode6Outcome::unknown_variable);
  EXPECT_EQ(f[0].byte1 & 0x40, 0x40);
  EXPECT_EQ(f[0].status >> 8, 5);  // CERR_UNKNOWNVAR (ntpq: "Unknown variable")
  EXPECT_EQ(f[0].count, 0);
  // ntpstat's 576-byte datagram full of zeros asks for everything.
  auto ntpstat = request(mode6_opcode::read_variables, 0, 2, 1);
  ntpstat.resize(576, 0);
  ntpstat[10] = static_cast<std::uint8_t>((576 - 12) >> 8);
  ntpstat[11] = static_cast<std::uint8_t>(576 - 12);
  f = ask(ntpstat, v);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].data, v.system_variables.view());
}

TEST(Mode6, LeapTableVariablesAsNtpdShowsThem) {
  // With a table: TAI - UTC now, the last transition and the expiry, as yyyymmddhhmm.
  LeapTable table;
  table.entries = {{1'435'708'800, 36}, {1'483'228'800, 37}};  // 2015-07-01, 2017-01-01
  table.expires = 1'798'416'000;                               // 2026-12-28
  LoopStatus loop;
  loop.leap_table = summarize_leap_table(table, UtcTime{} + std::chrono::seconds{1'790'000'000});
  ControlVariables v;
  render_control_variables(ClockSnapshot{}, loop, UtcTime{}, ReferenceReport{}, "x", v);
  auto f = ask(read_named("tai,leapsec,expire"), v);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].data, "tai=37, leapsec=201701010000, expire=202612280000");
  EXPECT_EQ(summarize_leap_table(table, UtcTime{} + std::chrono::seconds{1'450'000'000}).tai_offset, 36);
  // Without one, ntpd leaves them out and says nothing: not "Unknown variable".
  render_control_variables(ClockSnapshot{}, LoopStatus{}, UtcTime{}, ReferenceReport{}, "x", v);
  Mode6Outcome outcome{};
  f = ask(read_named("stratum,tai,leapsec,expire"), v, &outcome);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(outcome, Mode6Outcome::unknown_variable);
  EXPECT_EQ(f[0].data, "stratum=16");
}

TEST(Mode6, NamedOnlyVariablesComeBackWhenAskedForAndNeverUnasked) {
  const ClockSnapshot snapshot = locked_to_pps();
  SystemStatistics stats;
  stats.uptime = std::chrono::seconds{3600};
  stats.received = 1234;
  stats.current_version = 1200;
  stats.older_version = 34;
  stats.kod_sent = 5;
  stats.kernel = KernelLoopState{};
  stats.kernel->status_flags = "pll nano";
  stats.kernel->time_constant = 4;
  ControlVariables v;
  render_control_variables(snapshot, LoopStatus{}, UtcTime{std::chrono::seconds{1'790'000'000}},
                           ReferenceReport{}, "stratumd test", v, stats);
  // ntpq sysstats asks by name.
  auto f = ask(read_named("ss_uptime,ss_received,ss_thisver,ss_oldver,ss_kodsent"), v);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].data,
            "ss_uptime=3600, ss_received=1234, ss_thisver=1200, ss_oldver=34, ss_kodsent=5");
  // kerninfo and sysinfo, mixed with ordinary system variables.
  f = ask(read_named("kstflags,ktimeconst,stratum,peeradr"), v);
  EXPECT_EQ(f[0].data, "kstflags=\"pll nano\", ktimeconst=4, stratum=1, peeradr=127.127.20.0:123");
  // A bare READVAR (rv, ntpstat) stays the default list: no amplification from the extras.
  f = ask(request(mode6_opcode::read_variables, 0), v);
  EXPECT_EQ(f[0].data, v.system_variables.view());
  EXPECT_EQ(f[0].data.find("ss_received"), std::string::npos);
  // Without the kernel's state, its names are unknown, as any other.
  stats.kernel.reset();
  render_control_variables(snapshot, LoopStatus{}, UtcTime{std::chrono::seconds{1'790'000'000}},
                           ReferenceReport{}, "stratumd test", v, stats);
  Mode6Outcome outcome{};
  ask(read_named("kstflags"), v, &outcome);
  EXPECT_EQ(outcome, Mode6Outcome::unknown_variable);
}

}  // namespace
}  // namespace stratumd

namespace stratumd {
namespace {

TEST(Mode6, AnMruListWithANonceIsToldItIsNotImplemented) {
  auto with_nonce = read_named("nonce=0123456789abcdef, frags=32");
  with_nonce[1] = mode6_opcode::read_mru;
  Mode6Outcome o{};
  const auto reply = ask(with_nonce, sample_variables(), &o);
  EXPECT_EQ(o, Mode6Outcome::unknown_opcode);
  ASSERT_EQ(reply.size(), 1u);
  EXPECT_EQ(reply[0].status >> 8, 3);
}

}  // namespace
}  // namespace stratumd

namespace stratumd {
namespace {

TEST(Metrics, OneSeriesPerSourceAsNtpqListsThem) {
  MetricsInput in;
  in.loop.last_offset = std::chrono::nanoseconds{250};
  in.sources.source_address = "127.127.20.0";
  in.sources.host_name = "GPS_NMEA(0)";
  in.sources.reach = 0377;
  UpstreamReport server;
  server.address = "192.0.2.7";
  server.stratum = 2;
  server.reach = 017;
  server.offset = 0.002;
  server.delay = 0.0125;
  server.selection = 6;
  in.sources.upstreams.push_back(server);
  const std::string gps = "source=\"127.127.20.0\",name=\"GPS_NMEA(0)\",type=\"refclock\"";
  const std::string upstream = "source=\"192.0.2.7\",name=\"192.0.2.7\",type=\"server\"";
  std::string text = render_metrics(in);
  EXPECT_NE(text.find("\nstratumd_source_reach{" + gps + "} 255\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nstratumd_source_offset_seconds{" + gps + "} 2.5e-07\n"),
            std::string::npos);
  EXPECT_NE(text.find("\nstratumd_source_reach{" + upstream + "} 15\n"), std::string::npos);
  EXPECT_NE(text.find("\nstratumd_source_delay_seconds{" + upstream + "} 0.0125\n"),
            std::string::npos);
  EXPECT_NE(text.find("\nstratumd_source_stratum{" + upstream + "} 2\n"), std::string::npos);
  // The GPS steers until the network does; then the system peer.
  EXPECT_NE(text.find("\nstratumd_source_selected{" + gps + "} 1\n"), std::string::npos);
  EXPECT_NE(text.find("\nstratumd_source_selected{" + upstream + "} 0\n"), std::string::npos);
  in.sources.network_steers = true;
  text = render_metrics(in);
  EXPECT_NE(text.find("\nstratumd_source_selected{" + gps + "} 0\n"), std::string::npos);
  EXPECT_NE(text.find("\nstratumd_source_selected{" + upstream + "} 1\n"), std::string::npos);
  // A name with a quote stays one label value.
  in.sources.host_name = "a\"b";
  EXPECT_NE(render_metrics(in).find("name=\"a\\\"b\""), std::string::npos);
}

}  // namespace
}  // namespace stratumd
