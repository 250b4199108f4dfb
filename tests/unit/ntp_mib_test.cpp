#include "firmware/snmp/ntp_mib.hpp"

#include <gtest/gtest.h>

#include "firmware/snmp/daemon_readout.hpp"

namespace stratumd {
namespace {

TEST(VariableList, ReadsNtpdsTextWithQuotedCommas) {
  const VariableList v = parse_variable_list(
      "stratum=1, version=\"stratumd 0.1, test\",\r\n refid=PPS, flag, offset=-0.002850\r\n");
  EXPECT_EQ(v.at("stratum"), "1");
  EXPECT_EQ(v.at("version"), "stratumd 0.1, test");
  EXPECT_EQ(v.at("refid"), "PPS");
  EXPECT_EQ(v.at("flag"), "");
  EXPECT_EQ(v.at("offset"), "-0.002850");
  EXPECT_EQ(v.size(), 5u);
  EXPECT_TRUE(parse_variable_list("").empty());
  EXPECT_TRUE(parse_variable_list(" , ,").empty());
}

TEST(Mode6Request, IsAVersion2ControlMessagePaddedToFourBytes) {
  const auto p = mode6_request(2, 0x1234, 7, "stratum");
  ASSERT_EQ(p.size(), 12u + 8u);
  EXPECT_EQ(p[0], (2 << 3) | 6);
  EXPECT_EQ(p[1], 2);
  EXPECT_EQ(p[2], 0x12);
  EXPECT_EQ(p[3], 0x34);
  EXPECT_EQ(p[7], 7);
  EXPECT_EQ(p[11], 7);  // the count is the unpadded length
  EXPECT_EQ(std::string(p.begin() + 12, p.begin() + 19), "stratum");
  EXPECT_EQ(p[19], 0);
}

std::vector<std::uint8_t> fragment(std::uint8_t opcode, std::uint16_t sequence, bool more,
                                   std::uint16_t offset, const std::string& data,
                                   bool error = false, std::uint16_t status = 0x0615) {
  std::vector<std::uint8_t> d(12 + data.size());
  d[0] = (2 << 3) | 6;
  d[1] = static_cast<std::uint8_t>(0x80 | (error ? 0x40 : 0) | (more ? 0x20 : 0) | opcode);
  d[2] = static_cast<std::uint8_t>(sequence >> 8);
  d[3] = static_cast<std::uint8_t>(sequence);
  d[4] = static_cast<std::uint8_t>(status >> 8);
  d[5] = static_cast<std::uint8_t>(status);
  d[8] = static_cast<std::uint8_t>(offset >> 8);
  d[9] = static_cast<std::uint8_t>(offset);
  d[10] = static_cast<std::uint8_t>(data.size() >> 8);
  d[11] = static_cast<std::uint8_t>(data.size());
  std::copy(data.begin(), data.end(), d.begin() + 12);
  return d;
}

TEST(Mode6Answer, ReassemblesFragmentsInAnyOrderAndIgnoresOtherAnswers) {
  Mode6Answer answer(2, 9);
  const auto last = fragment(2, 9, false, 6, "world");
  const auto first = fragment(2, 9, true, 0, "hello ");
  const auto stale = fragment(2, 8, false, 0, "old");
  const auto other_opcode = fragment(1, 9, false, 0, "xx");
  EXPECT_EQ(answer.take(stale.data(), stale.size()), Mode6Answer::Take::ignored);
  EXPECT_EQ(answer.take(other_opcode.data(), other_opcode.size()), Mode6Answer::Take::ignored);
  EXPECT_EQ(answer.take(last.data(), last.size()), Mode6Answer::Take::more);
  EXPECT_EQ(answer.take(first.data(), first.size()), Mode6Answer::Take::complete);
  EXPECT_EQ(answer.data(), "hello world");
  EXPECT_EQ(answer.status(), 0x0615);
  // A count beyond the datagram is not trusted.
  Mode6Answer truncated(2, 1);
  auto bad = fragment(2, 1, false, 0, "abc");
  bad[11] = 200;
  EXPECT_EQ(truncated.take(bad.data(), bad.size()), Mode6Answer::Take::ignored);
  EXPECT_EQ(truncated.take(bad.data(), 5), Mode6Answer::Take::ignored);
}

TEST(Mode6Answer, AnErrorCarriesItsCode) {
  Mode6Answer answer(2, 3);
  const auto refused = fragment(2, 3, false, 0, "", true, 0x0100);
  EXPECT_EQ(answer.take(refused.data(), refused.size()), Mode6Answer::Take::error);
  EXPECT_EQ(answer.error_code(), 1);  // PERMISSION
}

// A daemon at stratum 1 on its PPS, as the simulated receiver's answers read.
DaemonReadout locked_daemon() {
  DaemonReadout d;
  d.answered = true;
  d.system = parse_variable_list(
      "stratum=1, rootdelay=0.000, rootdisp=0.027, leap=0, precision=-23, refid=PPS, "
      "clock=0xeec1a8a1.f0bb26d9, offset=0.002850, version=\"stratumd 0.1.0\", "
      "processor=\"x86_64\", system=\"Linux\", rootdist=0.027, ss_uptime=12, ss_received=49, "
      "io_sent=48, ss_badformat=3, ss_badversion=2");
  AssociationReadout refclock;
  refclock.id = 1;
  refclock.status = 0x9700;  // selection 7: PPS peer
  refclock.variables = parse_variable_list(
      "srcadr=127.127.20.0, srchost=\"SIM_GPS(0)\", stratum=0, refid=PPS, offset=0.002850, "
      "delay=0.000, dispersion=0.027074, jitter=0.010000");
  AssociationReadout server;
  server.id = 4;
  server.status = 0x9400;  // selection 4: candidate
  server.variables = parse_variable_list(
      "srcadr=2001:db8::1, stratum=2, refid=192.0.2.1, offset=-0.5, delay=1.2, "
      "dispersion=0.9, jitter=0.1, sent=10, received=9, oldpkt=1, bogusorg=1, badauth=2, "
      "refused=3");
  d.associations = {refclock, server};
  return d;
}

const MibValue& at(const MibValues& mib, std::initializer_list<std::uint32_t> tail) {
  return mib.at(ntp_mib_oid(tail));
}

TEST(NtpMib, ReportsTheDaemonsStateAsRfc5907Says) {
  const MibValues mib =
      build_ntp_mib(locked_daemon(), AgentState{.heartbeat_seconds = 0, .notifications_sent = 4});
  EXPECT_EQ(at(mib, {1, 1, 1, 0}).octets, "stratumd");
  EXPECT_EQ(at(mib, {1, 1, 2, 0}).octets, "stratumd 0.1.0");
  EXPECT_EQ(at(mib, {1, 1, 4, 0}).octets, "Linux x86_64");
  EXPECT_EQ(at(mib, {1, 1, 5, 0}).number, 1 << 23);  // divisions of a second
  EXPECT_EQ(at(mib, {1, 1, 6, 0}).number, -23);
  EXPECT_EQ(at(mib, {1, 1, 7, 0}).octets, "0.027 ms");
  EXPECT_EQ(at(mib, {1, 2, 1, 0}).number, 5);  // syncToRefclock
  EXPECT_EQ(at(mib, {1, 2, 2, 0}).number, 1);
  EXPECT_EQ(at(mib, {1, 2, 3, 0}).number, 1);  // the PPS peer's association id
  EXPECT_EQ(at(mib, {1, 2, 4, 0}).octets, "SIM_GPS(0)");
  EXPECT_EQ(at(mib, {1, 2, 5, 0}).octets, "0.002850 ms");
  EXPECT_EQ(at(mib, {1, 2, 6, 0}).number, 2);
  EXPECT_EQ(at(mib, {1, 2, 8, 0}).type, MibValue::Type::timeticks);
  EXPECT_EQ(at(mib, {1, 2, 8, 0}).number, 1200);
  const std::string date = at(mib, {1, 2, 9, 0}).octets;
  EXPECT_EQ(date, std::string("\0\0\0\0\xee\xc1\xa8\xa1\xf0\xbb\x26\xd9\0\0\0\0", 16));
  EXPECT_EQ(at(mib, {1, 2, 10, 0}).octets, "");  // no leap second announced
  EXPECT_EQ(at(mib, {1, 2, 11, 0}).number, 0);
  EXPECT_EQ(at(mib, {1, 2, 12, 0}).number, 49);
  EXPECT_EQ(at(mib, {1, 2, 13, 0}).number, 48);
  EXPECT_EQ(at(mib, {1, 2, 14, 0}).number, 2);
  EXPECT_EQ(at(mib, {1, 2, 15, 0}).number, 3);
  EXPECT_EQ(at(mib, {1, 2, 16, 0}).number, 4);
  // The association table, indexed by ntpq's association ids.
  EXPECT_EQ(at(mib, {1, 3, 1, 1, 2, 1}).octets, "SIM_GPS(0)");
  EXPECT_EQ(at(mib, {1, 3, 1, 1, 4, 1}).number, 1);  // ipv4
  EXPECT_EQ(at(mib, {1, 3, 1, 1, 5, 1}).octets, std::string("\x7f\x7f\x14\x00", 4));
  EXPECT_EQ(at(mib, {1, 3, 1, 1, 7, 1}).number, 1);  // stratum 0 is not an NtpStratum
  EXPECT_EQ(at(mib, {1, 3, 1, 1, 2, 4}).octets, "2001:db8::1");
  EXPECT_EQ(at(mib, {1, 3, 1, 1, 4, 4}).number, 2);  // ipv6
  EXPECT_EQ(at(mib, {1, 3, 1, 1, 5, 4}).octets.size(), 16u);
  EXPECT_EQ(at(mib, {1, 3, 1, 1, 3, 4}).octets, "192.0.2.1");
  EXPECT_EQ(at(mib, {1, 3, 1, 1, 9, 4}).octets, "1.2 ms");
  // Packet counts for the server only: a reference clock exchanges none.
  EXPECT_EQ(at(mib, {1, 3, 2, 1, 1, 4}).number, 9);
  EXPECT_EQ(at(mib, {1, 3, 2, 1, 2, 4}).number, 10);
  EXPECT_EQ(at(mib, {1, 3, 2, 1, 3, 4}).number, 6);
  EXPECT_EQ(mib.count(ntp_mib_oid({1, 3, 2, 1, 1, 1})), 0u);
  // Without a heartbeat its bit is clear; the configuration-changed bit is never set.
  EXPECT_EQ(at(mib, {1, 4, 2, 0}).octets, std::string("\x7d\x00", 2));
  EXPECT_EQ(notification_bits(60), std::string("\x7d\x80", 2));
}

TEST(NtpMib, TheModeSaysWhyTheTimeIsNotServed) {
  DaemonReadout d = locked_daemon();
  EXPECT_EQ(entity_mode(DaemonReadout{}), EntityMode::not_running);
  d.system["stratum"] = "2";
  EXPECT_EQ(entity_mode(d), EntityMode::sync_to_remote_server);
  d.system["leap"] = "3";
  EXPECT_EQ(entity_mode(d), EntityMode::not_synchronized);
  const MibValues unsynced = build_ntp_mib(d, {});
  EXPECT_EQ(at(unsynced, {1, 2, 2, 0}).number, 16);
  EXPECT_EQ(at(unsynced, {1, 2, 3, 0}).number, 0);  // no system peer while unsynchronised
  d.associations.clear();
  d.system["stratum"] = "16";
  EXPECT_EQ(entity_mode(d), EntityMode::none_configured);
  // Not running: the identity and the agent's own objects only.
  const MibValues gone = build_ntp_mib(DaemonReadout{}, {});
  EXPECT_EQ(at(gone, {1, 2, 1, 0}).number, 1);
  EXPECT_EQ(gone.count(ntp_mib_oid({1, 2, 2, 0})), 0u);
}

TEST(NtpMib, ALeapSecondIsAtTheEndOfTheMonthItIsAnnouncedIn) {
  DaemonReadout d = locked_daemon();
  d.system["leap"] = "1";
  d.system["clock"] = "0xdc0d5680.00000000";  // 2016-12-27 21:07:12 UTC
  const MibValues mib = build_ntp_mib(d, {});
  EXPECT_EQ(at(mib, {1, 2, 11, 0}).number, 1);
  // 2017-01-01 00:00:00 UTC is NTP second 3692217600 (0xdc12c500).
  EXPECT_EQ(at(mib, {1, 2, 10, 0}).octets,
            std::string("\0\0\0\0\xdc\x12\xc5\x00\0\0\0\0\0\0\0\0", 16));
  d.system["leap"] = "2";
  EXPECT_EQ(at(build_ntp_mib(d, {}), {1, 2, 11, 0}).number, -1);
}

TEST(NtpMib, NotificationsTellWhatChanged) {
  DaemonReadout before = locked_daemon();
  before.system["leap"] = "3";
  before.system["stratum"] = "16";
  const MibValues unsynced = build_ntp_mib(before, {});
  EXPECT_TRUE(notifications_between({}, unsynced).empty()) << "the first readout is no change";
  EXPECT_TRUE(notifications_between(unsynced, unsynced).empty());

  DaemonReadout after = locked_daemon();
  after.associations.pop_back();  // server 4 removed
  AssociationReadout added;
  added.id = 5;
  added.variables = parse_variable_list("srcadr=192.0.2.7, stratum=2");
  after.associations.push_back(added);
  after.system["leap"] = "1";
  const auto sent = notifications_between(unsynced, build_ntp_mib(after, {}));
  std::vector<std::uint32_t> numbers;
  for (const Notification& n : sent) numbers.push_back(n.number);
  EXPECT_EQ(numbers,
            (std::vector<std::uint32_t>{
                ntp_notification::mode_change, ntp_notification::stratum_change,
                ntp_notification::syspeer_changed, ntp_notification::add_association,
                ntp_notification::remove_association, ntp_notification::leap_second_announced}));
  EXPECT_EQ(sent[0].objects.at(0).second.number, 5);
  EXPECT_EQ(sent[1].objects.back().second.octets, "stratum 16 -> 1");
  EXPECT_EQ(sent[3].objects.at(1).first, ntp_mib_oid({1, 3, 1, 1, 2, 5}));
  EXPECT_EQ(sent[4].objects.back().second.octets, "association 4 removed: 2001:db8::1");
  // A leap second already announced is not announced again.
  const MibValues announced = build_ntp_mib(after, {});
  EXPECT_TRUE(notifications_between(announced, announced).empty());
  const Notification beat = heartbeat(announced);
  EXPECT_EQ(beat.number, ntp_notification::heartbeat);
  EXPECT_EQ(beat.objects.at(1).second.number, 5);
}

}  // namespace
}  // namespace stratumd
