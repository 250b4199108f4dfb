// A fuzz-style corpus of broken ntp.conf lines: the parser never crashes, never hangs, and a line
// that is wrong always gets its own message naming the file and the line.
#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>

#include "firmware/config/ntp_conf_parser.hpp"

namespace stratumd {
namespace {

DaemonConfig parse_text(const std::string& text) {
  return parse_ntp_conf("/fuzz.conf", [&](const std::string& path) -> std::optional<std::string> {
    if (path == "/fuzz.conf") return text;
    return std::nullopt;
  });
}

const char* const kDirectives[] = {"server",        "pool",
                                   "peer",          "broadcast",
                                   "fudge",         "refclock",
                                   "restrict",      "discard",
                                   "driftfile",     "leapfile",
                                   "statsdir",      "statistics",
                                   "filegen",       "keys",
                                   "trustedkey",    "requestkey",
                                   "controlkey",    "interface",
                                   "nic",           "tos",
                                   "tinker",        "enable",
                                   "disable",       "threads",
                                   "holdover",      "leapsmearinterval",
                                   "includefile",   "logconfig",
                                   "manycastclient"};

const char* const kBadArguments[] = {
    "",
    "%%%",
    "\"unterminated",
    "127.127.",
    "127.127.20.999",
    "127.127.20.0 mode",
    "127.127.20.0 mode -1",
    "default mask",
    "default nosuchflag",
    "1.2.3.4/99",
    "::1/200",
    "99999999999999999999999",
    "-5",
    "0x",
    "( 1 ... )",
    "step",
    "step x panic",
    "average",
    "loopstats type fortnightly",
    "listen",
    "basedate 2020-13-45x",
    "unit",
    "nmea unit 0 baud",
    "gpio unit 0 line",
};

TEST(ConfigFuzz, EveryDirectiveWithBrokenArgumentsGetsALocatedMessageOrLoads) {
  int located = 0;
  for (const char* directive : kDirectives) {
    for (const char* arguments : kBadArguments) {
      const std::string line = std::string(directive) + " " + arguments;
      const DaemonConfig c = parse_text("# header\n" + line + "\n");
      for (const ConfigFinding& f : c.findings) {
        EXPECT_EQ(f.where.file, "/fuzz.conf") << line;
        EXPECT_EQ(f.where.line, 2) << line << " -> " << f.format();
        EXPECT_FALSE(f.message.empty()) << line;
        ++located;
      }
    }
  }
  EXPECT_GT(located, 400);
}

TEST(ConfigFuzz, KnownBrokenLinesAreAlwaysErrors) {
  const char* const broken[] = {"server",
                                "fudge 127.127.20.0 time1 x",
                                "restrict default nosuchflag",
                                "discard average x",
                                "threads 0",
                                "tinker step",
                                "holdover -1",
                                "statistics nosuchstats",
                                "interface frobnicate all",
                                "frobnicate 1",
                                "refclock nosuchdriver",
                                "server 127.127.20.0 mode x",
                                "trustedkey 0",
                                "controlkey",
                                "tos basedate 2020"};
  for (const char* line : broken) {
    const DaemonConfig c = parse_text(std::string(line) + "\n");
    EXPECT_TRUE(c.has_errors()) << line;
  }
}

TEST(ConfigFuzz, MutatedConfigurationsNeverCrashAndEveryFindingIsLocated) {
  std::string base =
      "server 127.127.20.0 mode 17 prefer\nfudge 127.127.20.0 time2 0.1 refid GPS\n"
      "server 127.127.22.0 minpoll 4\nrestrict default kod limited nomodify noquery\n"
      "restrict 127.0.0.1\ndiscard average 3 minimum 1\ndriftfile /var/lib/ntp/drift\n"
      "statistics loopstats peerstats\nfilegen loopstats file loopstats type day enable\n"
      "tinker panic 0 step 0.2\nkeys /etc/ntp/keys\ntrustedkey 1 ( 3 ... 5 )\n";
  std::ifstream stock(std::string(FIXTURE_DIR) + "/configs/centos-ntp.conf");
  ASSERT_TRUE(stock) << "the stock CentOS configuration is missing from " << FIXTURE_DIR;
  std::ostringstream stock_text;
  stock_text << stock.rdbuf();
  base += stock_text.str();
  std::mt19937_64 engine(20261125);
  auto rng = [&engine] { return static_cast<std::size_t>(engine()); };
  const std::string alphabet = " \t\n#\"\\()/.:-0123456789abcdefxyz\x01\xff";
  for (int round = 0; round < 3000; ++round) {
    std::string text = base;
    const int edits = 1 + static_cast<int>(rng() % 8);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      const std::size_t at = rng() % text.size();
      switch (rng() % 4) {
        case 0:
          text.erase(at, 1 + rng() % 12);
          break;
        case 1:
          text.insert(at, 1, alphabet[rng() % alphabet.size()]);
          break;
        case 2:
          text[at] = alphabet[rng() % alphabet.size()];
          break;
        default:
          text.insert(at, std::string(1 + rng() % 300, 'x'));
          break;
      }
    }
    const DaemonConfig c = parse_text(text);
    const int lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
    for (const ConfigFinding& f : c.findings) {
      if (f.where.file != "/fuzz.conf") continue;  // an include or keys file it names
      ASSERT_GE(f.where.line, 1) << f.format();
      ASSERT_LE(f.where.line, lines) << f.format();
      ASSERT_FALSE(f.message.empty());
    }
  }
}

}  // namespace
}  // namespace stratumd
