#include "firmware/config/ntp_conf_parser.hpp"
#include "firmware/config/config_reload.hpp"

#include "firmware/ntp/restrict_table.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

namespace stratumd {
namespace {

class Files {
 public:
  Files& add(const std::string& path, const std::string& text) {
    files_[path] = text;
    return *this;
  }
  FileLoader loader() const {
    return [this](const std::string& path) -> std::optional<std::string> {
      const auto it = files_.find(path);
      if (it == files_.end()) return std::nullopt;
      return it->second;
    };
  }

 private:
  std::map<std::string, std::string> files_;
};

std::string all_findings(const DaemonConfig& c) {
  std::string out;
  for (const auto& f : c.findings) out += f.format() + "\n";
  return out;
}

TEST(ConfigLines, SplitsWordsCommentsQuotesAndContinuations) {
  const auto lines = split_config_lines(
      "# comment only\n"
      "server 127.127.20.0 mode 17   # trailing comment\n"
      "\n"
      "logfile \"/var/log/my ntp.log\"\n"
      "restrict default \\\n  nomodify noquery\n"
      "driftfile /var/lib/ntp/drift");
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0].line, 2);
  EXPECT_EQ(lines[0].words, (std::vector<std::string>{"server", "127.127.20.0", "mode", "17"}));
  EXPECT_EQ(lines[1].words, (std::vector<std::string>{"logfile", "/var/log/my ntp.log"}));
  EXPECT_EQ(lines[2].line, 5);
  EXPECT_EQ(lines[2].words,
            (std::vector<std::string>{"restrict", "default", "nomodify", "noquery"}));
  EXPECT_EQ(lines[3].line, 7);
}

TEST(ConfigLines, ReportsAnUnterminatedQuote) {
  std::vector<SplitError> errors;
  split_config_lines("a\nlogfile \"/var/log\nb\n", &errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].line, 2);
}

TEST(NtpConfParser, DeclaresReferenceClocksByPseudoAddress) {
  Files files;
  files.add("/etc/ntp.conf", "server 127.127.20.0 mode 17 prefer\nserver 127.127.22.1\n");
  const DaemonConfig c = parse_ntp_conf("/etc/ntp.conf", files.loader());
  EXPECT_FALSE(c.has_errors()) << all_findings(c);
  ASSERT_EQ(c.refclocks.size(), 2u);
  EXPECT_EQ(c.refclocks[0].type, 20);
  EXPECT_EQ(c.refclocks[0].unit, 0);
  EXPECT_EQ(c.refclocks[1].type, 22);
  EXPECT_EQ(c.refclocks[1].unit, 1);
  EXPECT_EQ(c.refclocks[1].where.line, 2);
}

TEST(NtpConfParser, UnknownDirectiveIsAnErrorWithFileAndLine) {
  Files files;
  files.add("/etc/ntp.conf", "driftfile /var/lib/ntp/drift\nsevrer 127.127.20.0\n");
  const DaemonConfig c = parse_ntp_conf("/etc/ntp.conf", files.loader());
  ASSERT_TRUE(c.has_errors());
  EXPECT_EQ(c.findings.size(), 1u);  // driftfile is fine; only the misspelt line is reported
  EXPECT_EQ(
      c.findings.back().format(),
      "/etc/ntp.conf:2: error: unknown directive 'sevrer' (see ntp.conf(5) for the valid ones)");
  EXPECT_EQ(c.driftfile, "/var/lib/ntp/drift");
}

TEST(NtpConfParser, BadRefclockAddressIsAnError) {
  Files files;
  files.add("/c", "server 127.127.20\nfudge 10.0.0.1 time1 0.1\n");
  const DaemonConfig c = parse_ntp_conf("/c", files.loader());
  ASSERT_EQ(c.findings.size(), 2u);
  EXPECT_EQ(c.findings[0].where.line, 1);
  EXPECT_NE(c.findings[0].message.find("127.127.TYPE.UNIT"), std::string::npos);
  EXPECT_EQ(c.findings[1].where.line, 2);
  EXPECT_EQ(c.findings[1].severity, Severity::error);
}

TEST(NtpConfParser, MetricsListenTakesADefaultPortNoCommonExporterUses) {
  const auto listen = [](const std::string& line) {
    Files files;
    files.add("/c", line + "\n");
    const DaemonConfig c = parse_ntp_conf("/c", files.loader());
    return c.findings.empty() ? c.metrics_listen : "error: " + c.findings[0].message;
  };
  EXPECT_EQ(listen("metrics listen 127.0.0.1"), "127.0.0.1:10123");
  EXPECT_EQ(listen("metrics listen [::1]"), "[::1]:10123");
  EXPECT_EQ(listen("metrics listen 192.0.2.1:9100"), "192.0.2.1:9100");
  EXPECT_EQ(listen("metrics listen [2001:db8::1]:8080"), "[2001:db8::1]:8080");
  EXPECT_EQ(
      listen("metrics listen localhost:80").rfind("error: metrics listen takes an address", 0), 0u);
  EXPECT_EQ(listen("metrics listen 127.0.0.1:0").rfind("error:", 0), 0u);
  EXPECT_EQ(listen("metrics listen [::1").rfind("error:", 0), 0u);
}

TEST(NtpConfParser, SnmpTakesAnAgentxSocketAndAHeartbeat) {
  const auto snmp = [](const std::string& line) -> std::string {
    Files files;
    files.add("/c", line + "\n");
    const DaemonConfig c = parse_ntp_conf("/c", files.loader());
    if (!c.findings.empty()) return "error: " + c.findings[0].format();
    if (!c.snmp) return "off";
    return "[" + c.snmp->agentx_socket + "] " + std::to_string(c.snmp->heartbeat_seconds);
  };
  EXPECT_EQ(snmp("driftfile /var/lib/stratumd/drift"), "off");
  EXPECT_EQ(snmp("snmp agentx"), "[] 0");
  EXPECT_EQ(snmp("snmp agentx /run/agentx.sock"), "[/run/agentx.sock] 0");
  EXPECT_EQ(snmp("snmp agentx tcp:localhost:705 heartbeat 60"), "[tcp:localhost:705] 60");
  EXPECT_EQ(snmp("snmp agentx heartbeat 5"), "[] 5");
  EXPECT_EQ(snmp("snmp"),
            "error: /c:1: error: snmp takes 'agentx [SOCKET] [heartbeat SECONDS]' (e.g. "
            "'snmp agentx' or 'snmp agentx /var/agentx/master heartbeat 60')");
  EXPECT_EQ(snmp("snmp smux").rfind("error: /c:1: error: snmp takes 'agentx", 0), 0u);
  EXPECT_EQ(snmp("snmp agentx heartbeat 0"),
            "error: /c:1: error: snmp heartbeat takes seconds from 1 to 86400, not '0'");
  EXPECT_EQ(snmp("snmp agentx /s heartbeat").rfind("error: /c:1: error: snmp takes", 0), 0u);
  EXPECT_EQ(snmp("snmp agentx /s extra words").rfind("error: /c:1: error: snmp takes", 0), 0u);
}

TEST(NtpConfParser, KnownButUnimplementedDirectivesWarnWithTheirLine) {
  Files files;
  files.add("/c", "mru maxdepth 8192\ncrypto\n");
  const DaemonConfig c = parse_ntp_conf("/c", files.loader());
  EXPECT_FALSE(c.has_errors());
  ASSERT_EQ(c.findings.size(), 2u);
  EXPECT_EQ(c.findings[0].format(), "/c:1: warning: 'mru' is not implemented yet; line ignored");
  EXPECT_EQ(c.findings[1].format(),
            "/c:2: warning: 'crypto' is not supported by stratumd; line ignored");
}

TEST(NtpConfParser, IncludefileIsRelativeToTheIncludingFile) {
  Files files;
  files.add("/etc/ntp/ntp.conf", "includefile refclocks.conf\n")
      .add("/etc/ntp/refclocks.conf", "server 127.127.28.0\n");
  const DaemonConfig c = parse_ntp_conf("/etc/ntp/ntp.conf", files.loader());
  EXPECT_FALSE(c.has_errors()) << all_findings(c);
  ASSERT_EQ(c.refclocks.size(), 1u);
  EXPECT_EQ(c.refclocks[0].where.file, "/etc/ntp/refclocks.conf");
}

TEST(NtpConfParser, MissingIncludefileIsAWarningAsInNtpd) {
  Files files;
  files.add("/c", "includefile /etc/ntp/crypto/pw\n");
  const DaemonConfig c = parse_ntp_conf("/c", files.loader());
  EXPECT_FALSE(c.has_errors());
  ASSERT_EQ(c.findings.size(), 1u);
  EXPECT_EQ(c.findings[0].severity, Severity::warning);
  EXPECT_EQ(c.findings[0].where.line, 1);
}

TEST(NtpConfParser, IncludeCyclesAreRefused) {
  Files files;
  files.add("/a", "includefile /b\n").add("/b", "\nincludefile /a\n");
  const DaemonConfig c = parse_ntp_conf("/a", files.loader());
  ASSERT_TRUE(c.has_errors());
  EXPECT_EQ(c.findings[0].where.file, "/b");
  EXPECT_EQ(c.findings[0].where.line, 2);
  EXPECT_NE(c.findings[0].message.find("cycle"), std::string::npos);
}

TEST(NtpConfParser, MissingMainFileIsAnError) {
  Files files;
  const DaemonConfig c = parse_ntp_conf("/nonexistent.conf", files.loader());
  ASSERT_TRUE(c.has_errors());
  EXPECT_NE(c.findings[0].format().find("/nonexistent.conf"), std::string::npos);
}

TEST(NtpConfParser, RestrictLines) {
  Files files;
  files.add("/c",
            "restrict default kod nomodify notrap nopeer noquery\n"
            "restrict -6 default kod limited\n"
            "restrict 127.0.0.1\n"
            "restrict 10.0.0.0 mask 255.255.255.0 nomodify notrap\n"
            "restrict 2001:db8::/32 ignore\n"
            "restrict -4 10.1.0.0/16 noserve ntpport version\n"
            "restrict source nomodify noquery\n");
  const DaemonConfig c = parse_ntp_conf("/c", files.loader());
  EXPECT_TRUE(c.findings.empty()) << all_findings(c);
  ASSERT_EQ(c.restrictions.size(), 7u);
  EXPECT_TRUE(c.restrictions[6].source);
  EXPECT_FALSE(c.restrictions[6].prefix);
  EXPECT_EQ(c.restrictions[6].flags, restrict_flag::nomodify | restrict_flag::noquery);
  EXPECT_FALSE(c.restrictions[0].source);
  EXPECT_FALSE(c.restrictions[0].prefix);
  EXPECT_FALSE(c.restrictions[0].family);
  EXPECT_EQ(c.restrictions[0].flags, restrict_flag::kod | restrict_flag::nomodify |
                                         restrict_flag::notrap | restrict_flag::nopeer |
                                         restrict_flag::noquery);
  EXPECT_EQ(c.restrictions[1].family, IpFamily::v6);
  EXPECT_EQ(c.restrictions[2].prefix->length, 32);
  EXPECT_EQ(c.restrictions[2].flags, 0u);
  EXPECT_EQ(c.restrictions[3].prefix->length, 24);
  EXPECT_EQ(c.restrictions[4].prefix->length, 32);
  EXPECT_EQ(c.restrictions[5].where.line, 6);
  EXPECT_EQ(c.restrictions[5].flags,
            restrict_flag::noserve | restrict_flag::ntpport | restrict_flag::version);
}

TEST(NtpConfParser, RestrictErrorsNameTheProblemAndTheValidChoices) {
  const std::pair<const char*, const char*> cases[] = {
      {"restrict default nomodfy",
       "unknown restrict flag 'nomodfy'; valid flags: ignore noquery nomodify"},
      {"restrict 10.0.0.0 mask 255.0.255.0", "not a contiguous netmask"},
      {"restrict 10.0.0.0 mask", "mask needs a netmask"},
      {"restrict 10.0.0.0/40", "not a valid address or ADDR/LENGTH prefix"},
      {"restrict -6 10.0.0.1", "does not belong to the family given by -6"},
      {"restrict", "restrict needs an address"},
      {"restrict -4 source nomodify", "restrict source takes no -4 or -6"},
      {"restrict source nomodfy", "unknown restrict flag 'nomodfy'"},
      {"discard average 40", "discard average takes log2 seconds from 0 to 16"},
      {"discard average", "discard takes pairs"},
      {"discard burst 3", "unknown discard option 'burst'; valid: average minimum monitor"},
      {"interface listen", "takes an action"},
      {"interface open eth0", "unknown interface action 'open'; valid: listen ignore drop"},
      {"threads 0", "threads takes one number from 1 to 64"},
  };
  for (const auto& [line, message] : cases) {
    Files files;
    files.add("/c", std::string("\n") + line + "\n");
    const DaemonConfig c = parse_ntp_conf("/c", files.loader());
    ASSERT_TRUE(c.has_errors()) << line;
    EXPECT_EQ(c.findings.back().where.line, 2) << line;
    EXPECT_NE(c.findings.back().message.find(message), std::string::npos)
        << line << " -> " << c.findings.back().message;
  }
}

TEST(NtpConfParser, DiscardInterfaceAndThreads) {
  Files files;
  files.add("/c",
            "discard average 4 minimum 1 monitor 100\ninterface ignore wildcard\nnic listen eth0\n"
            "interface drop 192.0.2.0/24\nthreads 3\n");
  const DaemonConfig c = parse_ntp_conf("/c", files.loader());
  EXPECT_TRUE(c.findings.empty()) << all_findings(c);
  ASSERT_TRUE(c.discard);
  EXPECT_EQ(c.discard->average_log2, 4);
  EXPECT_EQ(c.discard->minimum_s, 1);
  ASSERT_EQ(c.interface_rules.size(), 3u);
  EXPECT_EQ(c.interface_rules[0].match, InterfaceRule::Match::wildcard);
  EXPECT_EQ(c.interface_rules[1].name, "eth0");
  EXPECT_EQ(c.interface_rules[2].action, InterfaceRule::Action::drop);
  EXPECT_EQ(c.interface_rules[2].prefix.length, 24);
  EXPECT_EQ(c.threads, 3);
}

TEST(NtpConfParser, NtpdRefclockLinesWithFudge) {
  Files files;
  files.add("/c",
            "server 127.127.20.0 mode 17 minpoll 4 prefer\n"
            "fudge 127.127.20.0 time1 0.0 time2 0.350 flag1 1 refid GPS stratum 0\n"
            "server 127.127.22.0 minpoll 4\n"
            "fudge 127.127.22.0 flag2 1 time1 -0.000250\n"
            "server 127.127.28.1\nserver 127.127.46.0 mode 2\n");
  const DaemonConfig c = parse_ntp_conf("/c", files.loader());
  ASSERT_TRUE(c.findings.empty()) << all_findings(c);
  ASSERT_EQ(c.refclocks.size(), 4u);
  const RefclockOptions& nmea = c.refclocks[0].options;
  EXPECT_EQ(nmea.mode, 17);
  EXPECT_TRUE(nmea.prefer);
  EXPECT_DOUBLE_EQ(*nmea.time2, 0.350);
  EXPECT_TRUE(nmea.flag(1));
  EXPECT_FALSE(nmea.flag(2));
  EXPECT_EQ(nmea.refid, "GPS");
  EXPECT_EQ(nmea.stratum, 0);
  EXPECT_TRUE(c.refclocks[1].options.flag(2));
  EXPECT_DOUBLE_EQ(*c.refclocks[1].options.time1, -0.000250);
  EXPECT_EQ(c.refclocks[2].type, 28);
  EXPECT_EQ(c.refclocks[2].unit, 1);
  EXPECT_EQ(c.refclocks[3].options.mode, 2);
}

TEST(NtpConfParser, NtpsecAndStratumdRefclockLines) {
  Files files;
  files.add(
      "/c",
      "refclock nmea unit 0 mode 1 time2 0.080 path /dev/ttyS0 ppspath /dev/pps0 baud 9600 prefer\n"
      "refclock gpio unit 1 path /dev/gpiochip0 line 18 refid PPS\n"
      "refclock dcd unit 2 path /dev/ttyUSB0 flag2 1\n"
      "refclock shm unit 1 refid SHM1\n"
      "tos basedate 2024-01-01\n");
  const DaemonConfig c = parse_ntp_conf("/c", files.loader());
  ASSERT_TRUE(c.findings.empty()) << all_findings(c);
  ASSERT_EQ(c.refclocks.size(), 4u);
  EXPECT_EQ(c.refclocks[0].type, refclock_type::nmea);
  EXPECT_EQ(c.refclocks[0].options.path, "/dev/ttyS0");
  EXPECT_EQ(c.refclocks[0].options.ppspath, "/dev/pps0");
  EXPECT_EQ(c.refclocks[0].options.baud, 9600);
  EXPECT_EQ(c.refclocks[1].type, refclock_type::gpio_pps);
  EXPECT_EQ(c.refclocks[1].options.gpio_line, 18);
  EXPECT_EQ(c.refclocks[2].type, refclock_type::dcd_pps);
  EXPECT_EQ(c.refclocks[3].unit, 1);
  EXPECT_EQ(c.tos_basedate, "2024-01-01");
}

TEST(NtpConfParser, RefclockErrorsSayWhatIsValid) {
  const std::pair<const char*, const char*> cases[] = {
      {"server 127.127.20.0 mode x", "mode needs a number"},
      {"server 127.127.20.0 burst2", "unknown option 'burst2'; valid: mode minpoll"},
      {"server 127.127.20.0\nfudge 127.127.20.0 flag1 2", "flag1 takes 0 or 1"},
      {"server 127.127.20.0\nfudge 127.127.20.0 refid TOOLONG",
       "refid takes one to four characters"},
      {"server 127.127.20.0\nfudge 127.127.20.0 time2 soon", "time2 must be a number of seconds"},
      {"server 127.127.20.0\nserver 127.127.20.0", "declared twice"},
      {"refclock nmea baud 1234", "baud takes 4800, 9600"},
      {"refclock atom", "unknown refclock driver 'atom'; valid: nmea pps shm gpsd gpio dcd"},
      {"refclock dcd unit 0", "refclock dcd needs 'path"},
      {"tos basedate 24-1-1", "tos basedate takes a date as YYYY-MM-DD"},
      {"server 127.127.20.0\nfudge 127.127.20.0 fix maybe", "fix takes 'sky'"},
  };
  for (const auto& [text, message] : cases) {
    Files files;
    files.add("/c", text);
    const DaemonConfig c = parse_ntp_conf("/c", files.loader());
    ASSERT_TRUE(c.has_errors()) << text;
    EXPECT_NE(c.findings.back().message.find(message), std::string::npos)
        << text << " -> " << c.findings.back().format();
  }
}

TEST(NtpConfParser, FixEstimatedOnFudgeAndRefclockLines) {
  Files files;
  files.add("/c",
            "server 127.127.20.0\n"
            "fudge 127.127.20.0 time2 0.1 fix estimated\n"
            "refclock nmea unit 1 fix sky\n");
  const DaemonConfig c = parse_ntp_conf("/c", files.loader());
  ASSERT_FALSE(c.has_errors()) << all_findings(c);
  ASSERT_EQ(c.refclocks.size(), 2u);
  EXPECT_TRUE(c.refclocks[0].options.accept_estimated_fix);
  EXPECT_FALSE(c.refclocks[1].options.accept_estimated_fix);
}

// ntpd writes several tos pairs on one line; minsane guards the reference clock (never below 2),
// and the options stratumd does not act on are each named in a warning, not the line dropped.
TEST(NtpConfParser, TosPairsAndTheTrustSettings) {
  Files files;
  files.add("/c",
            "tos minclock 4 minsane 4 sanity 0.25\n"
            "disable auth\n");
  const DaemonConfig c = parse_ntp_conf("/c", files.loader());
  ASSERT_FALSE(c.has_errors()) << all_findings(c);
  EXPECT_EQ(c.min_sane, 4);
  EXPECT_DOUBLE_EQ(c.sanity_bound, 0.25);
  EXPECT_FALSE(c.discipline.auth_required);
  const std::string said = all_findings(c);
  EXPECT_NE(said.find("/c:1: warning: tos minclock is not implemented"), std::string::npos) << said;
  EXPECT_NE(said.find("/c:2: warning: disable auth: unauthenticated symmetric peers"),
            std::string::npos)
      << said;

  Files defaults;
  defaults.add("/c", "tos minsane 1\n");
  const DaemonConfig d = parse_ntp_conf("/c", defaults.loader());
  EXPECT_EQ(d.min_sane, 2);
  EXPECT_NE(all_findings(d).find("one network source can never overrule"), std::string::npos);
  EXPECT_TRUE(d.discipline.auth_required);  // ntpd's default: enable auth

  for (const char* bad :
       {"tos minsane 0", "tos minsane many", "tos minsane", "tos minsane 3 sanity"}) {
    Files f;
    f.add("/c", bad);
    EXPECT_TRUE(parse_ntp_conf("/c", f.loader()).has_errors()) << bad;
  }
}

TEST(NtpConfParser, StatisticsAndFilegen) {
  Files files;
  files.add("/c",
            "statsdir /var/log/ntpstats\n"
            "statistics loopstats peerstats clockstats rawstats\n"
            "filegen loopstats file loops type month nolink enable\n"
            "filegen peerstats type day link disable\n");
  const DaemonConfig c = parse_ntp_conf("/c", files.loader());
  ASSERT_FALSE(c.has_errors()) << all_findings(c);
  ASSERT_EQ(c.findings.size(), 1u);  // rawstats: known, not written yet
  EXPECT_NE(c.findings[0].message.find("rawstats"), std::string::npos);
  EXPECT_TRUE(c.stats.at("clockstats").enabled);
  EXPECT_EQ(c.statsdir, "/var/log/ntpstats/");
  EXPECT_EQ(c.stats.at("loopstats").file, "loops");
  EXPECT_EQ(c.stats.at("loopstats").type, "month");
  EXPECT_FALSE(c.stats.at("loopstats").link);
  EXPECT_TRUE(c.stats.at("loopstats").enabled);
  EXPECT_FALSE(c.stats.at("peerstats").enabled);  // the later filegen disable wins
  for (const char* bad : {"statistics loopstat", "filegen loopstats type hourly",
                          "filegen loopstats size 3", "statistics"}) {
    Files f;
    f.add("/c", bad);
    EXPECT_TRUE(parse_ntp_conf("/c", f.loader()).has_errors()) << bad;
  }
}

TEST(NtpConfParser, StockCentosConfigLoads) {
  std::ifstream in(std::string(FIXTURE_DIR) + "/configs/centos-ntp.conf");
  ASSERT_TRUE(in) << FIXTURE_DIR << "/configs/centos-ntp.conf is missing";
  std::ostringstream text;
  text << in.rdbuf();
  Files files;
  files.add("/etc/ntp.conf", text.str());
  const DaemonConfig c = parse_ntp_conf("/etc/ntp.conf", files.loader());
  EXPECT_FALSE(c.has_errors()) << all_findings(c);
  ASSERT_EQ(c.associations.size(), 2u);
  EXPECT_EQ(c.associations[0].addresses, (std::vector<std::string>{"pool.ntp.org"}));
  EXPECT_EQ(c.associations[1].addresses, (std::vector<std::string>{"time.nist.gov"}));
  EXPECT_EQ(c.restrictions.size(), 4u);
  EXPECT_EQ(c.driftfile, "/var/lib/ntp/drift");
}

TEST(NtpConfParser, BrokenLinesNeverCrashAndAlwaysSaySomething) {
  const char* broken[] = {"server",
                          "fudge",
                          "includefile",
                          "driftfile",
                          "\"",
                          "server \"127.127.20.0",
                          "\\",
                          "server 127.127.999.0",
                          "server 127.127.20.-1",
                          "#\n\n\n\xff\xfe",
                          "refclock"};
  for (const char* line : broken) {
    Files files;
    files.add("/c", line);
    const DaemonConfig c = parse_ntp_conf("/c", files.loader());
    const bool blank = std::string(line).find_first_not_of("#\n\\") == std::string::npos;
    if (!blank) {
      EXPECT_FALSE(c.findings.empty()) << line;
    }
  }
}

}  // namespace
}  // namespace stratumd

namespace stratumd {
namespace {

TEST(NtpConfParser, DisciplineDirectives) {
  Files files;
  files.add("/c",
            "tinker step 0.5 panic 0 stepout 120 dispersion 20e-6\n"
            "tinker allan 1500\n"
            "disable ntp\n"
            "enable kernel stats\n"
            "disable monitor\n"
            "holdover 7200\n"
            "leapfile /usr/share/zoneinfo/leap-seconds.list\n"
            "leapsmearinterval 86400\n");
  const DaemonConfig c = parse_ntp_conf("/c", files.loader());
  ASSERT_FALSE(c.has_errors()) << all_findings(c);
  const DisciplineConfig& loop = c.discipline.loop;
  EXPECT_EQ(loop.step_threshold, std::chrono::milliseconds{500});
  EXPECT_EQ(loop.panic_threshold, Nanoseconds{0});
  EXPECT_EQ(loop.stepout, std::chrono::seconds{120});
  EXPECT_DOUBLE_EQ(loop.dispersion_floor, 20e-6);
  EXPECT_FALSE(loop.steer);
  EXPECT_TRUE(c.discipline.kernel_discipline);
  EXPECT_EQ(loop.holdover_limit, std::chrono::hours{2});
  EXPECT_EQ(loop.leap_smear, std::chrono::hours{24});
  EXPECT_EQ(c.discipline.leapfile, "/usr/share/zoneinfo/leap-seconds.list");
  // Accepted but not acted on: said, with the line.
  ASSERT_EQ(c.findings.size(), 2u) << all_findings(c);
  EXPECT_EQ(c.findings[0].format(),
            "/c:2: warning: tinker allan is not used by stratumd's servos; ignored");
  EXPECT_EQ(c.findings[1].format(),
            "/c:5: warning: disable monitor is not implemented yet; ignored");
}

TEST(NtpConfParser, DisciplineDirectiveErrorsNameWhatIsValid) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"tinker step", "tinker takes NAME VALUE pairs"},
      {"tinker step -1", "tinker step needs a number of seconds"},
      {"tinker stpe 1", "unknown tinker option 'stpe'; valid: step, panic"},
      {"tinker dispersion 0.5", "tinker dispersion is a rate"},
      // Absurd values are refused, not wrapped round (a stepout turned negative, panic off).
      {"tinker step 1e10", "tinker step is 0 (never step) to 31536000 s"},
      {"tinker panic 1e10", "tinker panic is 0 (no panic check) to 1000000000 s"},
      {"tinker stepout 1e10", "tinker stepout is 1 to 86400 s"},
      {"tinker stepout 1e300", "tinker stepout is 1 to 86400 s"},
      {"enable kernal", "unknown enable flag 'kernal'; valid: auth, bclient"},
      {"disable", "disable needs a flag"},
      {"holdover forever", "holdover takes the seconds"},
      {"leapsmearinterval 10", "leapsmearinterval takes 0 (no smear)"},
      {"leapfile", "leapfile takes one file name"},
  };
  for (const auto& [text, message] : cases) {
    Files files;
    files.add("/c", text + "\n");
    const DaemonConfig c = parse_ntp_conf("/c", files.loader());
    ASSERT_TRUE(c.has_errors()) << text;
    EXPECT_EQ(c.findings.back().where.line, 1);
    EXPECT_NE(c.findings.back().message.find(message), std::string::npos)
        << text << " -> " << c.findings.back().format();
  }
}

}  // namespace
}  // namespace stratumd

namespace stratumd {
namespace {

TEST(KeysFile, ParsesNtpdKeysInEveryForm) {
  const KeysFileParse k = parse_keys_file(
      "# ntp-keygen style\n"
      "1 MD5 secret # trailing comment\n"
      "2 M pass\n"
      "3 SHA1 0123456789abcdef0123456789abcdef01234567\n"
      "4 AES128CMAC 000102030405060708090a0b0c0d0e0f\n"
      "5 sha1 shortascii\n");
  ASSERT_TRUE(k.findings.empty()) << k.findings[0].message;
  ASSERT_EQ(k.keys.size(), 5u);
  EXPECT_EQ(k.keys.at(1).type, KeyType::md5);
  EXPECT_EQ(std::string(k.keys.at(1).secret.begin(), k.keys.at(1).secret.end()), "secret");
  EXPECT_EQ(k.keys.at(2).type, KeyType::md5);
  EXPECT_EQ(k.keys.at(3).secret.size(), 20u);
  EXPECT_EQ(k.keys.at(3).secret[1], 0x23);
  EXPECT_EQ(k.keys.at(4).type, KeyType::aes128_cmac);
  EXPECT_EQ(k.keys.at(4).secret[15], 0x0f);
  EXPECT_EQ(k.keys.at(5).type, KeyType::sha1);
}

TEST(KeysFile, EveryBrokenLineNamesItsLineAndWhatIsValid) {
  const KeysFileParse k = parse_keys_file(
      "1 MD5\n"
      "0 MD5 x\n"
      "70000 MD5 x\n"
      "7 SHA512X abc\n"
      "8 SHA1 0123456789abcdef0123456789abcdef0123456g\n"
      "9 AES128CMAC short\n"
      "10 MD5 a\n"
      "10 MD5 b\n");
  ASSERT_EQ(k.findings.size(), 7u);
  EXPECT_EQ(k.findings[0].line, 1);
  EXPECT_NE(k.findings[0].message.find("KEYID TYPE KEY"), std::string::npos);
  EXPECT_NE(k.findings[1].message.find("from 1 to 65535"), std::string::npos);
  EXPECT_NE(k.findings[2].message.find("from 1 to 65535"), std::string::npos);
  EXPECT_NE(k.findings[3].message.find("not one of MD5 (M), SHA1, AES128CMAC"), std::string::npos);
  EXPECT_NE(k.findings[4].message.find("must be hexadecimal"), std::string::npos);
  EXPECT_NE(k.findings[5].message.find("exactly 16 bytes"), std::string::npos);
  EXPECT_EQ(k.findings[6].line, 8);
  EXPECT_NE(k.findings[6].message.find("defined twice"), std::string::npos);
  EXPECT_EQ(k.keys.size(), 1u);
}

TEST(NtpConfParser, KeysTrustedKeysAndTheirCrossReferences) {
  Files files;
  files.add("/etc/ntp.keys", "1 SHA1 one\n2 MD5 two\n5 MD5 five\n6 MD5 six\n");
  files.add("/c",
            "keys /etc/ntp.keys\n"
            "trustedkey 1 ( 5 ... 7 )\n"
            "requestkey 2\n"
            "controlkey 9\n");
  const DaemonConfig c = parse_ntp_conf("/c", files.loader());
  ASSERT_FALSE(c.has_errors()) << all_findings(c);
  EXPECT_EQ(c.auth.keys.size(), 4u);
  EXPECT_TRUE(c.auth.trusts(1));
  EXPECT_TRUE(c.auth.trusts(6));
  EXPECT_FALSE(c.auth.trusts(2));
  ASSERT_TRUE(c.auth.control_key);
  EXPECT_EQ(c.auth.control_key->id, 9u);
  // Key 7 and the control key 9 are not in the keys file: said, with the line naming them.
  ASSERT_EQ(c.findings.size(), 2u) << all_findings(c);
  EXPECT_EQ(c.findings[0].format(),
            "/c:2: warning: trustedkey 7 is not in the keys file /etc/ntp.keys; nothing can "
            "authenticate with it");
  EXPECT_EQ(c.findings[1].where.line, 4);

  Files missing;
  missing.add("/c", "keys /nowhere\ntrustedkey 3\n");
  const DaemonConfig m = parse_ntp_conf("/c", missing.loader());
  EXPECT_FALSE(m.has_errors());
  ASSERT_EQ(m.findings.size(), 2u);
  EXPECT_NE(m.findings[0].message.find("cannot be read"), std::string::npos);

  Files broken;
  broken.add("/k", "1 MD5\n");
  broken.add("/c", "keys /k\ntrustedkey ( 4 ... 2 )\n");
  const DaemonConfig b = parse_ntp_conf("/c", broken.loader());
  ASSERT_EQ(b.findings.size(), 2u) << all_findings(b);
  EXPECT_EQ(b.findings[0].where.file, "/k");
  EXPECT_EQ(b.findings[0].where.line, 1);
  EXPECT_EQ(b.findings[1].format().rfind("/c:2: error: trustedkey range", 0), 0u);
}

}  // namespace
}  // namespace stratumd

namespace stratumd {
namespace {

DaemonConfig parse_one(const std::string& text) {
  Files files;
  files.add("/c", text);
  return parse_ntp_conf("/c", files.loader());
}

TEST(ConfigReload, SaysWhatChangesInPlaceAndWhatNeedsARestart) {
  const DaemonConfig running = parse_one(
      "server 127.127.20.0 mode 1\nfudge 127.127.20.0 time2 0.1\nrestrict default\nthreads 2\n");
  // Comments, restrict and line positions changed; the clock declarations did not.
  const DaemonConfig same_clocks = parse_one(
      "# moved\nrestrict default noquery\nserver 127.127.20.0 mode 1\n"
      "fudge 127.127.20.0 time2 0.1\nthreads 2\n");
  ReloadPlan plan = plan_reload(running, same_clocks);
  EXPECT_FALSE(plan.reference_clocks_changed);
  EXPECT_TRUE(plan.needs_restart.empty());

  const DaemonConfig new_fudge = parse_one(
      "server 127.127.20.0 mode 1\nfudge 127.127.20.0 time2 0.2\nrestrict default\nthreads 2\n");
  EXPECT_TRUE(plan_reload(running, new_fudge).reference_clocks_changed);

  const DaemonConfig restart = parse_one(
      "server 127.127.20.0 mode 1\nfudge 127.127.20.0 time2 0.1\nthreads 1\ninterface ignore "
      "ipv6\n");
  plan = plan_reload(running, restart);
  EXPECT_FALSE(plan.reference_clocks_changed);
  ASSERT_EQ(plan.needs_restart.size(), 2u);
  EXPECT_NE(plan.needs_restart[0].find("interface"), std::string::npos);
  EXPECT_EQ(plan.needs_restart[1], "threads");
}

// Servers are matched by host and role, not by line: a reload adds, removes and changes them,
// and only multicast groups (joined at start) wait for a restart.
TEST(ConfigReload, SourcesAreAddedRemovedAndChangedByHost) {
  const DaemonConfig running = parse_one(
      "server 127.0.0.2 iburst\nserver 127.0.0.3 key 1\nserver 127.0.0.4\n"
      "pool pool.example.org\nmulticastclient 224.0.1.1\n");
  const DaemonConfig next = parse_one(
      "# lines moved\nserver 127.0.0.4\nserver 127.0.0.3 key 2 minpoll 4 prefer\n"
      "server 127.0.0.5 iburst\npool pool.example.org\n");
  const ReloadPlan plan = plan_reload(running, next);
  const AssociationDiff& d = plan.associations;
  ASSERT_EQ(d.added.size(), 1u);
  EXPECT_EQ(d.added[0].addresses.front(), "127.0.0.5");
  ASSERT_EQ(d.removed.size(), 1u);
  EXPECT_EQ(d.removed[0].addresses.front(), "127.0.0.2");
  ASSERT_EQ(d.kept.size(), 3u);
  EXPECT_TRUE(d.kept[0].what.empty());
  EXPECT_EQ(d.kept[0].next.line, 2);  // the moved line's new place
  EXPECT_EQ(d.kept[1].what,
            (std::vector<std::string>{"key 1 -> 2", "minpoll 6 -> 4", "prefer on"}));
  EXPECT_TRUE(d.changes_sources());
  EXPECT_EQ(d.describe(),
            "added server 127.0.0.5; removed server 127.0.0.2; server 127.0.0.3: key 1 -> 2, "
            "minpoll 6 -> 4, prefer on");
  EXPECT_EQ(plan.needs_restart, (std::vector<std::string>{"removed multicastclient 224.0.1.1"}));

  // The same sources in another order change nothing; -4 makes another association.
  EXPECT_FALSE(plan_reload(running, running).associations.changes_sources());
  const DaemonConfig v4 = parse_one(
      "server 127.0.0.2 iburst\nserver 127.0.0.3 key 1\nserver 127.0.0.4\n"
      "pool -4 pool.example.org\nmulticastclient 224.0.1.1\n");
  const AssociationDiff family = plan_reload(running, v4).associations;
  EXPECT_EQ(family.describe(), "added pool pool.example.org -4; removed pool pool.example.org");
}

}  // namespace
}  // namespace stratumd

namespace stratumd {
namespace {

TEST(LogConfig, NtpdClassesAndKinds) {
  Files files;
  files.add("/c", "logfile /var/log/ntp.log\nlogconfig =syncall +clockevents -syncstatistics\n");
  const DaemonConfig c = parse_ntp_conf("/c", files.loader());
  ASSERT_FALSE(c.has_errors());
  EXPECT_EQ(c.logfile, "/var/log/ntp.log");
  EXPECT_TRUE(c.log_mask.allows(LogClass::sync, LogKind::events));
  EXPECT_TRUE(c.log_mask.allows(LogClass::sync, LogKind::status));
  EXPECT_FALSE(c.log_mask.allows(LogClass::sync, LogKind::statistics));
  EXPECT_TRUE(c.log_mask.allows(LogClass::clock, LogKind::events));
  EXPECT_FALSE(c.log_mask.allows(LogClass::clock, LogKind::info));
  EXPECT_FALSE(c.log_mask.allows(LogClass::sys, LogKind::events));

  LogMask mask = LogMask::everything();
  EXPECT_EQ(mask.apply({"-allinfo"}), "");
  EXPECT_FALSE(mask.allows(LogClass::peer, LogKind::info));
  EXPECT_TRUE(mask.allows(LogClass::peer, LogKind::events));
  EXPECT_EQ(mask.apply({"=all"}), "");
  EXPECT_EQ(mask.bits(), 0xFFFF);
  EXPECT_EQ(mask.apply({"syncstatus"}), "");  // a bare name adds, as in ntpd

  Files bad;
  bad.add("/c", "logconfig =syncal\n");
  const DaemonConfig b = parse_ntp_conf("/c", bad.loader());
  ASSERT_TRUE(b.has_errors());
  EXPECT_EQ(b.findings[0].format(),
            "/c:1: error: logconfig: 'syncal' is not a class and kind; classes sys peer clock "
            "sync all, kinds info events statistics status all (e.g. =syncall +clockevents)");
}

}  // namespace
}  // namespace stratumd

namespace stratumd {
namespace {

TEST(NtpConfParser, RestrictByHostNameIsKeptForRunTimeResolution) {
  Files files;
  files.add("/c",
            "restrict timeserver.lab.example nomodify noquery\nrestrict -6 gw ignore\n"
            "restrict bad_name! ignore\nrestrict host.example mask 255.255.255.0\n");
  const DaemonConfig c = parse_ntp_conf("/c", files.loader());
  ASSERT_EQ(c.restrictions.size(), 2u) << all_findings(c);
  EXPECT_EQ(c.restrictions[0].host_name, "timeserver.lab.example");
  EXPECT_FALSE(c.restrictions[0].prefix);
  EXPECT_EQ(c.restrictions[0].flags, restrict_flag::nomodify | restrict_flag::noquery);
  EXPECT_EQ(c.restrictions[1].host_name, "gw");
  EXPECT_EQ(c.restrictions[1].family, IpFamily::v6);
  ASSERT_EQ(c.findings.size(), 2u) << all_findings(c);
  EXPECT_EQ(c.findings[0].format(),
            "/c:3: error: 'bad_name!' is not a valid address or ADDR/LENGTH prefix");
  EXPECT_EQ(c.findings[1].format(),
            "/c:4: error: a mask needs a numeric address, not the host name 'host.example'");
}

}  // namespace
}  // namespace stratumd

namespace stratumd {
namespace {

TEST(NtpConfParser, AssociationLinesAreCheckedOptionByOption) {
  Files files;
  files.add("/c",
            "server -4 time.example.com iburst prefer minpoll 4 maxpoll 6 key 3 version 3\n"
            "pool 2.debian.pool.ntp.org iburst\n"
            "peer 192.0.2.5 key 1 xleave\n"
            "broadcast 192.0.2.255 key 2 ttl 4 minpoll 6\n"
            "manycastserver 239.1.1.1 ff05::101\n"
            "multicastclient 224.0.1.1\n"
            "broadcastclient novolley\n"
            "broadcastdelay 0.008\n");
  const DaemonConfig c = parse_ntp_conf("/c", files.loader());
  ASSERT_FALSE(c.has_errors()) << all_findings(c);
  ASSERT_EQ(c.associations.size(), 7u);
  const AssociationLine& server = c.associations[0];
  EXPECT_EQ(server.kind, AssociationLine::Kind::server);
  EXPECT_EQ(server.family, IpFamily::v4);
  EXPECT_TRUE(server.iburst && server.prefer);
  EXPECT_EQ(server.minpoll, 4);
  EXPECT_EQ(server.maxpoll, 6);
  EXPECT_EQ(server.key, 3u);
  EXPECT_EQ(server.version, 3);
  EXPECT_TRUE(c.associations[1].preempt);
  EXPECT_TRUE(c.associations[2].xleave);
  EXPECT_EQ(c.associations[3].ttl, 4);
  EXPECT_EQ(c.associations[4].addresses.size(), 2u);
  EXPECT_TRUE(c.associations[6].novolley);
  EXPECT_DOUBLE_EQ(c.broadcast_delay, 0.008);
  EXPECT_TRUE(c.findings.empty()) << all_findings(c);
  // A line that cannot be used says so: never silently ignored.
  files.add("/d", "broadcast broadcast.example.com\nmanycastclient time.example.com\n");
  const DaemonConfig d = parse_ntp_conf("/d", files.loader());
  ASSERT_EQ(d.findings.size(), 2u) << all_findings(d);
  EXPECT_NE(d.findings[0].message.find("needs an address (a subnet broadcast or multicast group)"),
            std::string::npos);
  EXPECT_NE(d.findings[1].message.find("needs an address (a multicast group)"), std::string::npos);
}

TEST(NtpConfParser, ASecondLineForTheSameHostIsIgnoredWithAWarningNamingTheFirst) {
  Files files;
  files.add("/c", "server 192.0.2.1 iburst\nincludefile /d\nserver -4 192.0.2.1\npeer 192.0.2.1\n")
      .add("/d", "\nserver 192.0.2.1 prefer\n");
  const DaemonConfig c = parse_ntp_conf("/c", files.loader());
  EXPECT_FALSE(c.has_errors()) << all_findings(c);
  // Another family or another role is another association.
  ASSERT_EQ(c.associations.size(), 3u);
  EXPECT_TRUE(c.associations[0].iburst);
  EXPECT_FALSE(c.associations[0].prefer);
  ASSERT_EQ(c.findings.size(), 1u) << all_findings(c);
  EXPECT_EQ(c.findings[0].severity, Severity::warning);
  EXPECT_EQ(c.findings[0].where.file, "/d");
  EXPECT_EQ(c.findings[0].where.line, 2);
  EXPECT_EQ(c.findings[0].message,
            "a second 'server 192.0.2.1' line (the first is at /c:1): one association per host; "
            "line ignored");
}

TEST(NtpConfParser, AssociationErrorsNameTheOptionAndTheValidOnes) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"server time.example.com ibrust", "unknown server option 'ibrust'; valid: iburst, burst"},
      {"server time.example.com minpoll 2", "minpoll needs a log2 interval from 3 to 17"},
      {"server time.example.com minpoll 8 maxpoll 6", "minpoll 8 is above maxpoll 6"},
      {"server time.example.com key", "key needs a key ID from 1 to 65535"},
      {"server time.example.com version 5", "version needs 1 to 4"},
      {"peer", "peer needs an address or host name"},
      {"pool bad_host!", "'bad_host!' is not an address or host name"},
      {"server time.example.com autokey", "'autokey' is not supported"},
      {"broadcastclient yes", "broadcastclient takes only 'novolley'"},
      {"broadcastdelay 3", "broadcastdelay takes the one-way delay in seconds"},
  };
  for (const auto& [text, message] : cases) {
    Files files;
    files.add("/c", text + "\n");
    const DaemonConfig c = parse_ntp_conf("/c", files.loader());
    ASSERT_TRUE(c.has_errors()) << text;
    EXPECT_NE(c.findings.back().message.find(message), std::string::npos)
        << text << " -> " << c.findings.back().format();
    EXPECT_EQ(c.findings.back().where.line, 1);
  }
}

TEST(NtpConfParser, AChronyConfIsRefusedOnceWithTheNtpConfLines) {
  Files files;
  files.add("/etc/chrony.conf",
            "pool 2.debian.pool.ntp.org iburst\n"
            "makestep 1 3\n"
            "refclock SHM 0 refid GPS precision 1e-1 offset 0.0 delay 0.2\n"
            "refclock PPS /dev/pps0 lock GPS\n"
            "allow 192.168.0.0/16\n"
            "local stratum 10\n");
  const DaemonConfig c = parse_ntp_conf("/etc/chrony.conf", files.loader());
  ASSERT_EQ(c.findings.size(), 1u) << all_findings(c);
  const std::string text = all_findings(c);
  EXPECT_EQ(text.rfind("/etc/chrony.conf:2: error: this is chrony.conf syntax", 0), 0u) << text;
  // Each chrony line, then the ntp.conf lines to paste instead (offset is ntpd's time1).
  EXPECT_NE(text.find("line 3: refclock SHM 0 refid GPS precision 1e-1 offset 0.0 delay 0.2  ->\n"
                      "    server 127.127.28.0\n"
                      "    fudge 127.127.28.0 time1 0.0 refid GPS\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("line 4: refclock PPS /dev/pps0 lock GPS  ->\n    server 127.127.22.0\n"),
            std::string::npos);
  EXPECT_NE(
      text.find("line 5: allow 192.168.0.0/16  ->\n    restrict 192.168.0.0/16 nomodify nopeer"),
      std::string::npos);
  EXPECT_NE(text.find("line 6: local stratum 10  ->\n    # no equivalent"), std::string::npos);
  EXPECT_EQ(text.find(';', text.find("In ntp.conf:")), std::string::npos) << text;
  // NTPsec's lower-case refclock lines are ntp.conf, not chrony.
  const DaemonConfig ntpsec = parse_ntp_conf(
      "/etc/ntp.conf", Files().add("/etc/ntp.conf", "refclock shm unit 0 refid GPS\n").loader());
  EXPECT_TRUE(ntpsec.findings.empty()) << all_findings(ntpsec);
}

TEST(NtpConfParser, FudgeFlagsADriverDoesNotUseAreSaidAtItsLine) {
  const DaemonConfig c = parse_ntp_conf(
      "/etc/ntp.conf", Files()
                           .add("/etc/ntp.conf",
                                "server 127.127.22.0\n"
                                "fudge 127.127.22.0 flag1 1 flag2 1 flag3 1 flag4 1\n"
                                "server 127.127.28.0\n"
                                "fudge 127.127.28.0 flag1 1 flag2 1\n"
                                "server 127.127.20.0\n"
                                "fudge 127.127.20.0 flag3 1\n")
                           .loader());
  EXPECT_EQ(all_findings(c),
            "/etc/ntp.conf:1: warning: flag1 is not used by the PPS driver; ignored\n"
            "/etc/ntp.conf:1: warning: flag4 (a clockstats line per pulse) is not implemented; "
            "ignored\n"
            "/etc/ntp.conf:3: warning: flag2 is not used by the SHM driver; ignored\n"
            "/etc/ntp.conf:5: warning: flag3 (the kernel's PPS loop) needs flag1 (the PPS on "
            "ppspath); ignored\n");
}

}  // namespace
}  // namespace stratumd
