// Every captured receiver log in tests/fixtures/gpsd-nmea replays through the parser and the time
// assembler; the UTC times gpsd reported for the same bytes (TPV "time" in the .tpv beside each
// log) must all be among the times we yield, and none of the times we yield with a valid fix may
// lie outside the span gpsd saw. Garbage lines interleaved change nothing. The replay source keeps
// the log's rate.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "drivers/os/event_loop.hpp"
#include "drivers/sim/nmea_replay_source.hpp"
#include "firmware/clock/sim_clock.hpp"
#include "refclock/gps_week_rollover.hpp"
#include "refclock/nmea_parser.hpp"
#include "refclock/nmea_time.hpp"

namespace stratumd {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono;

const fs::path kLogDir = fs::path(FIXTURE_DIR) / "gpsd-nmea";  // README.md there: origin, licence

std::vector<std::string> split_lines(const std::string& bytes) {
  std::vector<std::string> lines;
  std::istringstream in(bytes);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// "2017-01-10T00:09:41.000Z" -> whole seconds, as gpsd reports them.
std::set<std::string> gpsd_times(const fs::path& tpv) {
  std::set<std::string> times;
  for (const std::string& line : split_lines(read_all(tpv))) {
    if (line.find("\"class\":\"TPV\"") == std::string::npos) continue;
    const auto at = line.find("\"time\":\"");
    if (at != std::string::npos) times.insert(line.substr(at + 8, 19));
  }
  return times;
}

// The base date each log is replayed with, as an appliance built a year before the capture would
// have it (a date is believed only within 1024 weeks of the base). gpsd's check file for neo-m8n
// shows the 1024-week correction applied (the receiver says 2015-03-18, gpsd 2034-11-01):
// replayed with a base after the 2019 rollover, we make the same correction.
sys_days base_date_for(const std::string& log) {
  if (log == "neo-m8n.log") return *parse_iso_date("2019-04-07");
  const std::set<std::string> times = gpsd_times(kLogDir / (log + ".tpv"));
  if (times.empty()) return *parse_iso_date("1999-08-22");
  return *parse_iso_date(times.begin()->substr(0, 10)) - days{365};
}

std::string iso_second(UtcTime t) {
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss hms{floor<seconds>(t - day)};
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02ld:%02ld:%02ld", int(ymd.year()),
                unsigned(ymd.month()), unsigned(ymd.day()), static_cast<long>(hms.hours().count()),
                static_cast<long>(hms.minutes().count()), static_cast<long>(hms.seconds().count()));
  return text;
}

UtcTime parse_iso_second(const std::string& text) {
  return UtcTime{*parse_iso_date(text.substr(0, 10)) + hours{std::stoi(text.substr(11, 2))} +
                 minutes{std::stoi(text.substr(14, 2))} + seconds{std::stoi(text.substr(17, 2))}};
}

struct Replay {
  std::set<std::string> all;
  std::set<std::string> with_fix;
  std::size_t sentences_ok = 0;
  std::size_t rejected = 0;
};

Replay replay(const std::vector<std::string>& lines, sys_days base) {
  Replay r;
  NmeaTimeAssembler assembler(base);
  for (std::string line : lines) {
    if (line.starts_with('#')) continue;
    // Real serial captures start with binary noise: a sentence starts at its '$'.
    const auto dollar = line.find('$');
    if (dollar == std::string::npos) continue;
    const NmeaParseResult parsed = parse_nmea_sentence(std::string_view(line).substr(dollar));
    if (parsed.status != NmeaStatus::ok) {
      ++r.rejected;
      continue;
    }
    ++r.sentences_ok;
    if (const auto t = assembler.on_sentence(parsed.sentence)) {
      r.all.insert(iso_second(t->time));
      if (t->fix_valid) r.with_fix.insert(iso_second(t->time));
    }
  }
  return r;
}

std::vector<std::string> logs() {
  std::vector<std::string> names;
  if (!fs::is_directory(kLogDir)) return names;
  for (const auto& entry : fs::directory_iterator(kLogDir)) {
    if (entry.path().extension() == ".log" && fs::exists(entry.path().string() + ".tpv")) {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST(NmeaReplay, EveryCapturedLogYieldsTheTimesGpsdSaw) {
  const auto names = logs();
  ASSERT_FALSE(names.empty()) << "no captured logs in " << kLogDir;
  int checked = 0, skipped = 0;
  for (const std::string& name : names) {
    const std::set<std::string> want = gpsd_times(kLogDir / (name + ".tpv"));
    if (want.empty()) {
      ++skipped;
      continue;
    }
    ++checked;
    const Replay got = replay(split_lines(read_all(kLogDir / name)), base_date_for(name));
    for (const std::string& t : want)
      EXPECT_TRUE(got.all.count(t)) << name << ": gpsd saw " << t << ", we did not";
    // Nothing we vouch for lies outside what gpsd saw (a wrong date or second would). The span
    // extends two seconds either side of gpsd's: the first and last cycles of a capture are often
    // cut short, and gpsd reports a cycle only once it is complete.
    const std::string first = iso_second(parse_iso_second(*want.begin()) - seconds{2});
    const std::string last_allowed = iso_second(parse_iso_second(*want.rbegin()) + seconds{2});
    for (const std::string& t : got.with_fix) {
      EXPECT_TRUE(t >= first && t <= last_allowed)
          << name << ": we yielded " << t << " outside " << first << " .. " << last_allowed;
    }
    EXPECT_GT(got.sentences_ok, 0u) << name;
  }
  std::printf("replayed %d logs against gpsd's times; %d skipped (no TPV time in their .tpv)\n",
              checked, skipped);
  EXPECT_GE(checked, 30);
}

// The project's own fixture runs everywhere, with or without ../shared.
TEST(NmeaReplay, ProjectFixtureAcrossMidnightWithNoise) {
  const std::string text = read_all(fs::path(FIXTURE_DIR) / "nmea" / "across-midnight.log");
  ASSERT_FALSE(text.empty());
  std::set<std::string> expected;
  for (const std::string& line : split_lines(text)) {
    if (line.starts_with("# expect: ")) expected.insert(line.substr(10, 19));
  }
  ASSERT_EQ(expected.size(), 10u);
  const Replay got = replay(split_lines(text), *parse_iso_date("2020-01-01"));
  EXPECT_EQ(got.all, expected);
  EXPECT_EQ(got.with_fix, expected);
  EXPECT_EQ(got.rejected, 3u);  // the truncated, mis-summed and overlong sentences (junk has no $)
}

TEST(NmeaReplay, GarbageBetweenSentencesChangesNothing) {
  const auto names = logs();
  ASSERT_FALSE(names.empty()) << "no captured logs in " << kLogDir;
  const std::vector<std::string> garbage{
      "\x01\x02\xb5\x62garbage",
      "$GPRMC,123456",
      "$GPGGA,000000.00,,,,,1,08,0.9,,M,,M,,*00",  // bad checksum
      "$GPZDA,000000.00,01,01,1999,00,00",         // no checksum at all
      std::string(200, 'x'),
      "$" + std::string(100, ','),
      "*",
      "$*",
      "$GP*ZZ"};
  for (const std::string& name : names) {
    const auto lines = split_lines(read_all(kLogDir / name));
    std::vector<std::string> noisy;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      noisy.push_back(lines[i]);
      noisy.push_back(garbage[i % garbage.size()]);
      if (i % 7 == 3 && lines[i].size() > 10)
        noisy.push_back(lines[i].substr(0, lines[i].size() / 2));  // truncated
    }
    const Replay clean = replay(lines, base_date_for(name));
    const Replay dirty = replay(noisy, base_date_for(name));
    EXPECT_EQ(clean.all, dirty.all) << name;
    EXPECT_EQ(clean.with_fix, dirty.with_fix) << name;
    EXPECT_GT(dirty.rejected, clean.rejected) << name;
  }
}

std::string with_checksum(const std::string& body) {
  unsigned sum = 0;
  for (const char c : body) sum ^= static_cast<unsigned char>(c);
  char tail[8];
  std::snprintf(tail, sizeof tail, "*%02X", sum);
  return "$" + body + tail;
}

// --replay keeps the log's rate however late each cycle is handled: cycle k is fed at the
// start + k periods, not a period after the previous one was handled. A sink that takes a fifth
// of the period stands for a busy daemon; re-arming from "now" would make the last of 15 cycles
// 14 x 20 ms late.
TEST(NmeaReplay, CyclesAreFedOnAbsoluteDeadlinesWhenTheSinkIsSlow) {
  const fs::path log =
      fs::temp_directory_path() / ("stratumd-replay-pacing-" + std::to_string(::getpid()) + ".log");
  {
    std::ofstream out(log);
    for (int second = 0; second < 15; ++second) {
      char body[64];
      std::snprintf(body, sizeof body, "GPZDA,0000%02d.00,01,07,2021,00,00", second);
      out << with_checksum(body) << "\r\n";
    }
  }
  constexpr auto kPeriod = 100ms;
  constexpr auto kSinkTakes = 20ms;
  EventLoop loop{IoBackend::poll};
  SimClock clock(sys_days{2021y / 7 / 1}, 0ns, OscillatorParams{});
  std::vector<steady_clock::time_point> fed;
  std::string ended;
  NmeaReplaySource replay(
      loop, clock, log.string(), 1s / duration<double>(kPeriod),
      [&](const NmeaLine&) {
        fed.push_back(steady_clock::now());
        std::this_thread::sleep_for(kSinkTakes);
      },
      [&](const std::string& message) {
        ended = message;
        loop.stop();
      });
  fs::remove(log);
  ASSERT_EQ(replay.cycles(), 15u);
  replay.start();
  loop.run();

  EXPECT_NE(ended.find("end of the log after 15 cycles"), std::string::npos) << ended;
  ASSERT_EQ(fed.size(), 15u);
  for (std::size_t k = 1; k < fed.size(); ++k) {
    const auto deadline = fed.front() + k * kPeriod;
    EXPECT_GE(fed[k], deadline) << "cycle " << k << " fed early";
    // Scheduling jitter, not accumulated lateness: well under one sink's time per cycle.
    EXPECT_LT(fed[k] - deadline, 3 * kSinkTakes)
        << "cycle " << k << " late by " << duration_cast<milliseconds>(fed[k] - deadline).count()
        << " ms";
  }
}

}  // namespace
}  // namespace stratumd
