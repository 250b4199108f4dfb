#include "refclock/nmea_parser.hpp"

#include "tests/unit/nmea_test_sentences.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "firmware/time/ntp_timestamp.hpp"
#include "firmware/time/utc_text.hpp"
#include "refclock/gps_week_rollover.hpp"
#include "refclock/nmea_line_assembler.hpp"
#include "refclock/nmea_time.hpp"

namespace stratumd {
namespace {

using namespace std::chrono;

// Test sentences are written as readable bodies; the helper appends the checksum.
std::string sentence(const std::string& body) {
  return testing::nmea_sentence(body);
}

TEST(NmeaParser, DecodesRmc) {
  const auto r = parse_nmea_sentence(
      sentence("GNRMC,000941.00,A,4404.13387,N,12118.85628,W,0.029,,100117,,,A") + "\r\n");
  ASSERT_EQ(r.status, NmeaStatus::ok);
  EXPECT_EQ(r.sentence.type, NmeaType::rmc);
  EXPECT_EQ(std::string(r.sentence.talker.data()), "GN");
  ASSERT_TRUE(r.sentence.time);
  EXPECT_EQ(r.sentence.time->hour, 0);
  EXPECT_EQ(r.sentence.time->minute, 9);
  EXPECT_EQ(r.sentence.time->second, 41);
  ASSERT_TRUE(r.sentence.date);
  EXPECT_EQ(r.sentence.date->year, 17);
  EXPECT_FALSE(r.sentence.date->four_digit_year);
  EXPECT_EQ(r.sentence.fix_valid, true);
}

TEST(NmeaParser, RmcStatusVAndModeNAreNoFix) {
  EXPECT_EQ(parse_nmea_sentence(sentence("GPRMC,120000,V,,,,,,,010124,,")).sentence.fix_valid,
            false);
  EXPECT_EQ(parse_nmea_sentence(sentence("GPRMC,120000,A,,,,,,,010124,,,N")).sentence.fix_valid,
            false);
}

TEST(NmeaParser, DecodesGgaQualitySatellitesHdop) {
  const auto r = parse_nmea_sentence(
      sentence("GPGGA,123519.25,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,"));
  ASSERT_EQ(r.status, NmeaStatus::ok);
  EXPECT_EQ(r.sentence.time->nanosecond, 250'000'000);
  EXPECT_EQ(r.sentence.fix_quality, 1);
  EXPECT_EQ(r.sentence.satellites, 8);
  EXPECT_DOUBLE_EQ(r.sentence.hdop, 0.9);
  EXPECT_EQ(parse_nmea_sentence(sentence("GPGGA,123519,,,,,0,00,,,M,,M,,")).sentence.fix_valid,
            false);
}

TEST(NmeaParser, DecodesZdaWithFourDigitYearAndGllAndGns) {
  const auto zda = parse_nmea_sentence(sentence("GNZDA,000941.00,10,01,2017,00,00"));
  ASSERT_EQ(zda.status, NmeaStatus::ok);
  EXPECT_TRUE(zda.sentence.date->four_digit_year);
  EXPECT_EQ(zda.sentence.date->year, 2017);
  EXPECT_FALSE(zda.sentence.fix_valid);
  const auto gll = parse_nmea_sentence(sentence("GLGLL,4404.13387,N,12118.85628,W,000941.00,A,A"));
  ASSERT_EQ(gll.status, NmeaStatus::ok);
  EXPECT_EQ(gll.sentence.fix_valid, true);
  const auto gns = parse_nmea_sentence(sentence("GNGNS,191518.00,,,,,NNN,,,,,,"));
  ASSERT_EQ(gns.status, NmeaStatus::ok);
  EXPECT_EQ(gns.sentence.fix_valid, false);
}

TEST(NmeaParser, AnyTalker) {
  for (const char* talker : {"GP", "GN", "GL", "GA", "GB", "BD", "GQ"}) {
    const auto r =
        parse_nmea_sentence(sentence(std::string(talker) + "ZDA,000941.00,10,01,2017,00,00"));
    EXPECT_EQ(r.status, NmeaStatus::ok) << talker;
  }
}

TEST(NmeaParser, LeapSecondSixty) {
  const auto r = parse_nmea_sentence(sentence("GPZDA,235960.00,31,12,2016,00,00"));
  ASSERT_EQ(r.status, NmeaStatus::ok);
  EXPECT_EQ(r.sentence.time->second, 60);
  EXPECT_EQ(parse_nmea_sentence(sentence("GPZDA,235961.00,31,12,2016,00,00")).status,
            NmeaStatus::bad_field);
}

TEST(NmeaParser, RejectsWithAReason) {
  const std::string good = sentence("GPZDA,000941.00,10,01,2017,00,00");
  std::string corrupted = good;
  corrupted[10] = '5';
  EXPECT_EQ(parse_nmea_sentence(corrupted).status, NmeaStatus::bad_checksum);
  EXPECT_EQ(parse_nmea_sentence(good.substr(0, good.size() - 3)).status,
            NmeaStatus::missing_checksum);
  EXPECT_EQ(parse_nmea_sentence(good.substr(1)).status, NmeaStatus::no_start);
  EXPECT_EQ(parse_nmea_sentence("").status, NmeaStatus::no_start);
  EXPECT_EQ(parse_nmea_sentence(sentence("GPZDA,00\x01"
                                         "0941.00,10,01,2017,00,00"))
                .status,
            NmeaStatus::binary_junk);
  EXPECT_EQ(parse_nmea_sentence(sentence("GPGGA," + std::string(100, '1'))).status,
            NmeaStatus::too_long);
  EXPECT_EQ(parse_nmea_sentence(sentence("GPRMC,000941.00,A")).status, NmeaStatus::too_few_fields);
  EXPECT_EQ(parse_nmea_sentence(sentence("GPRMC,2509,A,,,,,,,100117,,")).status,
            NmeaStatus::bad_field);
  EXPECT_EQ(parse_nmea_sentence(sentence("GPRMC,000941,A,,,,,,,320117,,")).status,
            NmeaStatus::bad_field);
  EXPECT_EQ(parse_nmea_sentence(sentence("GPZDA,000941,10,13,2017,,")).status,
            NmeaStatus::bad_field);
  EXPECT_EQ(parse_nmea_sentence(sentence("GPTXT,01,01,02,ANTSTATUS=OK")).status,
            NmeaStatus::unknown_sentence);
  EXPECT_EQ(parse_nmea_sentence(sentence("PUBX,04,000941.00,100117")).status,
            NmeaStatus::unknown_sentence);
}

TEST(NmeaParser, RandomBytesNeverCrash) {
  // The alphabet's own length, not a number to keep in step with it (46 read past its end).
  constexpr char kAlphabet[] = "0123456789,.*ABCDEFGHIJKLMNOPQRSTUVWXYZ$\r\n\x01\xff";
  std::uint64_t state = 0x243F6A8885A308D3ULL;
  for (int i = 0; i < 20000; ++i) {
    std::string line = "$GP";
    const int n = static_cast<int>(state % 90);
    for (int j = 0; j < n; ++j) {
      state ^= state << 13;
      state ^= state >> 7;
      state ^= state << 17;
      line += kAlphabet[state % (sizeof kAlphabet - 1)];
    }
    (void)parse_nmea_sentence(line);
  }
}

TEST(GpsWeekRollover, MovesDatesBeforeTheBaseForwardBy1024Weeks) {
  const sys_days base = *parse_iso_date("2019-04-07");
  const auto r = correct_gps_week_rollover(sys_days{2015y / March / 18}, base);
  EXPECT_EQ(r.date, sys_days{2034y / November / 1});
  EXPECT_EQ(r.periods_added, 1);
  // The 2019-04-06 rollover: a receiver reporting 1999-08-22 meant 2019-04-07.
  EXPECT_EQ(correct_gps_week_rollover(sys_days{1999y / August / 22}, base).date,
            sys_days{2019y / April / 7});
  EXPECT_EQ(correct_gps_week_rollover(sys_days{2026y / November / 25}, base).periods_added, 0);
  EXPECT_EQ(correct_gps_week_rollover(sys_days{1980y / January / 6}, base).periods_added, 2);
}

TEST(GpsWeekRollover, ParsesIsoDates) {
  EXPECT_EQ(parse_iso_date("2026-02-28"), sys_days{2026y / February / 28});
  EXPECT_FALSE(parse_iso_date("2026-02-29"));
  EXPECT_FALSE(parse_iso_date("2026-2-28"));
  EXPECT_FALSE(parse_iso_date("yesterday!"));
}

NmeaTime feed(NmeaTimeAssembler& a, const std::string& body) {
  const auto r = parse_nmea_sentence(sentence(body));
  EXPECT_EQ(r.status, NmeaStatus::ok) << body;
  const auto t = a.on_sentence(r.sentence);
  EXPECT_TRUE(t) << body;
  return t.value_or(NmeaTime{});
}

TEST(NmeaTime, CombinesDateFromRmcWithTimeFromGga) {
  NmeaTimeAssembler a(sys_days{2000y / January / 1});
  const auto gga_first = parse_nmea_sentence(sentence("GPGGA,000941.00,,,,,1,08,0.9,,M,,M,,"));
  EXPECT_FALSE(a.on_sentence(gga_first.sentence));  // no date yet
  EXPECT_EQ(a.counters().no_date_yet, 1u);
  EXPECT_EQ(feed(a, "GNRMC,000941.00,A,,,,,,,100117,,,A").time,
            sys_days{2017y / January / 10} + 9min + 41s);
  const NmeaTime gga = feed(a, "GPGGA,000942.50,,,,,1,08,0.9,,M,,M,,");
  EXPECT_EQ(gga.time, sys_days{2017y / January / 10} + 9min + 42s + 500ms);
  EXPECT_TRUE(gga.fix_valid);
  EXPECT_EQ(gga.source, NmeaType::gga);
}

TEST(NmeaTime, MidnightWithoutANewDate) {
  NmeaTimeAssembler a(sys_days{2000y / January / 1});
  feed(a, "GPRMC,235959.00,A,,,,,,,311216,,,A");
  EXPECT_EQ(feed(a, "GPGGA,000000.00,,,,,1,08,0.9,,M,,M,,").time, sys_days{2017y / January / 1});
}

TEST(NmeaTime, ZdaCenturyAndFixFromTheCycle) {
  NmeaTimeAssembler a(sys_days{2024y / January / 1});
  const NmeaTime without_fix = feed(a, "GPZDA,120000.00,01,06,2025,00,00");
  EXPECT_FALSE(without_fix.fix_valid);  // no RMC/GGA has vouched for a fix yet
  feed(a, "GPGGA,120001.00,,,,,1,08,0.9,,M,,M,,");
  EXPECT_TRUE(feed(a, "GPZDA,120001.00,01,06,2025,00,00").fix_valid);
}

TEST(NmeaTime, RolloverCorrectedAndNeverBeforeTheBase) {
  NmeaTimeAssembler a(*parse_iso_date("2026-11-01"));
  // A receiver with the 2019 rollover bug reports 2007-04-12 for 2026-11-26.
  const NmeaTime t = feed(a, "GPRMC,120000.00,A,,,,,,,120407,,,A");
  EXPECT_EQ(t.rollover_periods, 1);
  EXPECT_EQ(t.time, UtcTime{sys_days{2026y / November / 26} + 12h});
  EXPECT_GE(t.time, UtcTime{sys_days{2026y / November / 1}});
  EXPECT_EQ(a.counters().rollover_corrected, 1u);
}

// 2^31 s after 1970 (2038-01-19 03:14:08) and the NTP era's end (2036-02-07 06:28:16) are
// ordinary seconds: a 32-bit time_t anywhere between the sentence and the label would show here.
TEST(NmeaTime, LabelsAcross2036And2038LikeAnyOtherSecond) {
  NmeaTimeAssembler a(*parse_iso_date("2026-11-01"));
  const NmeaTime before_2038 = feed(a, "GPRMC,031407.00,A,,,,,,,190138,,,A");
  const NmeaTime after_2038 = feed(a, "GPGGA,031408.00,,,,,1,08,0.9,,M,,M,,");
  EXPECT_EQ(before_2038.time.time_since_epoch(), std::chrono::seconds{2'147'483'647});
  EXPECT_EQ(after_2038.time.time_since_epoch(), std::chrono::seconds{2'147'483'648});
  EXPECT_EQ(utc_text(after_2038.time), "2038-01-19 03:14:08");

  NmeaTimeAssembler b(*parse_iso_date("2026-11-01"));
  const NmeaTime era_end = feed(b, "GNZDA,062815.50,07,02,2036,00,00");
  const NmeaTime era_1 = feed(b, "GNRMC,062816.50,A,,,,,,,070236,,,A");
  EXPECT_EQ(era_1.time - era_end.time, 1s);
  EXPECT_EQ(era_1.time, UtcTime{sys_days{2036y / February / 7} + 6h + 28min + 16s + 500ms});
  EXPECT_EQ(NtpTimestamp::from_utc(era_1.time).seconds(), 0u);  // NTP era 1 began
  EXPECT_EQ(NtpTimestamp::era_of(era_1.time), 1);
}

TEST(NmeaTime, LeapSecondIsFlagged) {
  NmeaTimeAssembler a(sys_days{2000y / January / 1});
  const NmeaTime t = feed(a, "GPZDA,235960.00,31,12,2016,00,00");
  EXPECT_TRUE(t.leap_second);
  EXPECT_EQ(t.time, UtcTime{sys_days{2017y / January / 1}});
}

}  // namespace
}  // namespace stratumd

namespace stratumd {
namespace {

TEST(NmeaLineAssembler, DatesEachSentenceBackToItsFirstByte) {
  std::vector<std::pair<std::string, UtcTime>> lines;
  NmeaLineAssembler uart(
      9600, [&](const NmeaLine& l) { lines.emplace_back(std::string(l.text), l.start); });
  const Nanoseconds byte = uart.byte_time();
  EXPECT_EQ(byte, Nanoseconds{1'041'666});
  const UtcTime t0{std::chrono::seconds{1'790'000'000}};
  // Junk, then "$AB*00\r\n$CD" in one read at t0: the first $ is byte 3 of 14: it started 11
  // byte times before the read.
  const std::string chunk = "\x01\xb5\x62$AB*00\r\n$CD";
  uart.feed(std::span(reinterpret_cast<const std::uint8_t*>(chunk.data()), chunk.size()), t0);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].first, "$AB*00");
  EXPECT_EQ(lines[0].second, t0 - byte * 11);
  // The second sentence continues in the next read; its start was fixed by the first one.
  const std::string rest = "*11\r\n";
  uart.feed(std::span(reinterpret_cast<const std::uint8_t*>(rest.data()), rest.size()),
            t0 + byte * 5);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[1].first, "$CD*11");
  EXPECT_EQ(lines[1].second, t0 - byte * 3);
  EXPECT_EQ(uart.counters().junk_bytes, 3u);
}

// A receiver whose port hands over each second's sentences at once (USB-CDC, a pty): 125 bytes
// of RMC+GGA, at 9600 baud 130 ms of line time, arrive at 150 ms after each second, in one read
// or cut into reads a millisecond apart. Back-dated at the line rate, the RMC's stamp moved with
// the cutting (by up to 150 ms); once the bursts are recognised every cutting stamps it at the
// read that brought its '$'.
TEST(NmeaLineAssembler, BurstDeliveryIsStampedAtTheReadWhateverTheCutting) {
  const std::string second =
      testing::nmea_sentence("GPRMC,120000.00,A,4404.13,N,12118.85,W,0.0,,261126,,,A", "\r\n") +
      testing::nmea_sentence("GPGGA,120000.00,4404.13,N,12118.85,W,1,09,0.9,100.0,M,0.0,M,,",
                             "\r\n");
  std::vector<UtcTime> rmc_stamps;
  NmeaLineAssembler uart(9600, [&](const NmeaLine& l) {
    if (l.text.substr(3, 3) == "RMC") rmc_stamps.push_back(l.start);
  });
  const UtcTime t0{std::chrono::seconds{1'790'000'000}};
  const auto bytes = [&](std::size_t from, std::size_t to) {
    return std::span(reinterpret_cast<const std::uint8_t*>(second.data()) + from, to - from);
  };
  const std::vector<std::vector<std::size_t>> cuttings{{}, {20},  {64, 120}, {5, 70, 71},
                                                       {}, {100}, {64},      {30, 31, 32}};
  for (std::size_t s = 0; s < 12; ++s) {
    const UtcTime arrival = t0 + std::chrono::seconds{s} + std::chrono::milliseconds{150};
    std::size_t from = 0;
    Nanoseconds late{0};
    for (const std::size_t cut : cuttings[s % cuttings.size()]) {
      uart.feed(bytes(from, cut), arrival + late);
      from = cut;
      late += std::chrono::milliseconds{1};
    }
    uart.feed(bytes(from, second.size()), arrival + late);
  }
  EXPECT_EQ(uart.stamp_model(), StampModel::at_read);
  EXPECT_GE(uart.counters().burst_chunks, 12u);
  // From the first burst on, each RMC is stamped when its '$' was read.
  ASSERT_EQ(rmc_stamps.size(), 12u);
  for (std::size_t s = 0; s < rmc_stamps.size(); ++s) {
    const UtcTime arrival = t0 + std::chrono::seconds{s} + std::chrono::milliseconds{150};
    EXPECT_EQ(rmc_stamps[s], arrival) << "second " << s;
  }
}

// A real UART read in small chunks as they come stays on line-rate stamps, even with one read that
// found 60 ms of bytes waiting (the reader was busy); and nothing is dated before the read before.
TEST(NmeaLineAssembler, LineRateStaysLineRateAndNeverDatesBeforeTheLastRead) {
  std::vector<UtcTime> stamps;
  NmeaLineAssembler uart(9600, [&](const NmeaLine& l) { stamps.push_back(l.start); });
  const Nanoseconds byte = uart.byte_time();
  const std::string line = testing::nmea_sentence("GPZDA,120000.00,26,11,2026,00,00", "\r\n");
  UtcTime t{std::chrono::seconds{1'790'000'000}};
  for (int s = 0; s < 10; ++s) {
    // 8-byte chunks as they arrive; in second 5 the reader was busy and read 60 ms late.
    for (std::size_t from = 0; from < line.size(); from += 8) {
      const std::size_t n = std::min<std::size_t>(8, line.size() - from);
      t += byte * static_cast<std::int64_t>(n);
      if (s == 5 && from == 0) continue;                           // bytes pile up...
      const std::size_t start = (s == 5 && from == 8) ? 0 : from;  // ...and are read together
      uart.feed(
          std::span(reinterpret_cast<const std::uint8_t*>(line.data()) + start, from + n - start),
          t);
    }
    t += std::chrono::milliseconds{900};
  }
  EXPECT_EQ(uart.stamp_model(), StampModel::line_rate);
  ASSERT_EQ(stamps.size(), 10u);
  for (std::size_t s = 1; s < stamps.size(); ++s) {
    const Nanoseconds period = stamps[s] - stamps[s - 1];
    EXPECT_LT(
        std::abs(to_seconds(period) - to_seconds(byte * static_cast<std::int64_t>(line.size()) +
                                                 std::chrono::milliseconds{900})),
        1e-6)
        << s;
  }
  // A chunk of 60 junk bytes and the sentence (over 100 ms of line time) 10 ms after the previous
  // read: its '$' is not dated before that read.
  stamps.clear();
  const UtcTime last_read = t - std::chrono::milliseconds{900};
  const std::string burst = std::string(60, 'x') + line;
  uart.feed(std::span(reinterpret_cast<const std::uint8_t*>(burst.data()), burst.size()),
            last_read + std::chrono::milliseconds{10});
  ASSERT_EQ(stamps.size(), 1u);
  EXPECT_GE(stamps[0], last_read - byte);
  EXPECT_LE(stamps[0], last_read + std::chrono::milliseconds{10});
}

TEST(NmeaLineAssembler, OverlongLinesAreDroppedAndCounted) {
  int lines = 0;
  NmeaLineAssembler uart(4800, [&](const NmeaLine&) { ++lines; });
  const std::string junk = "$" + std::string(300, 'A') + "\r\n$GPZDA*00\r\n";
  uart.feed(std::span(reinterpret_cast<const std::uint8_t*>(junk.data()), junk.size()), UtcTime{});
  EXPECT_EQ(lines, 1);
  EXPECT_EQ(uart.counters().overlong, 1u);
}

}  // namespace
}  // namespace stratumd

#include "drivers/sim/nmea_replay_source.hpp"

namespace stratumd {
namespace {

TEST(NmeaReplay, SplitsALogIntoOneSecondCycles) {
  const std::string log =
      "# comment\n"
      "\x01\x02junk" +
      sentence("GPRMC,000941.00,A,,,,,,,100117,,,A") + "\r\n" +
      sentence("GPGGA,000941.00,,,,,1,08,0.9,,M,,M,,") + "\r\n" + sentence("GPGSV,1,1,00") +
      "\r\n" + sentence("GPRMC,000942.00,A,,,,,,,100117,,,A") + "\r\n" + "$GPGGA,broken*00\r\n" +
      sentence("GPZDA,000942.00,10,01,2017,00,00") + "\r\n";
  const auto cycles = split_nmea_log_into_cycles(log);
  ASSERT_EQ(cycles.size(), 2u);
  EXPECT_EQ(cycles[0].size(), 3u);
  EXPECT_EQ(cycles[1].size(), 3u);  // the broken line travels with its cycle, to be rejected later
  EXPECT_TRUE(cycles[0][0].starts_with("$GPRMC"));
}

}  // namespace
}  // namespace stratumd
