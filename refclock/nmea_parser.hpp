// NMEA 0183 sentences as a GPS receiver sends them, parsed without allocation: checksum, talker,
// then a table of sentence types (name, minimum field count, handler), as gpsd does. Only what a
// time server needs is decoded: time of day, date, fix validity and quality, satellites, DOP.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace stratumd {

// NMEA 0183 caps a sentence at 82 characters, "$" to "\n" inclusive, but RTK and high-precision
// receivers send longer ones (88 to 102 in the captured u-blox and RTK logs). Like gpsd, accept up
// to 102 and reject anything longer.
inline constexpr std::size_t kMaxNmeaSentenceLength = 102;

enum class NmeaStatus : std::uint8_t {
  ok,
  too_long,          // over kMaxNmeaSentenceLength characters
  no_start,          // does not begin with '$' (or '!')
  binary_junk,       // bytes outside printable ASCII
  missing_checksum,  // no "*hh" at the end
  bad_checksum,
  unknown_sentence,  // well-formed, but not a type we decode (GSV counted as health)
  too_few_fields,
  bad_field,  // a time, date or number that does not parse
};

const char* to_string(NmeaStatus status);

enum class NmeaType : std::uint8_t { rmc, gga, gll, zda, gns, gsa, gsv, other };

struct NmeaTimeOfDay {
  int hour = 0;
  int minute = 0;
  int second = 0;  // 60 during a leap second
  std::int32_t nanosecond = 0;
};

struct NmeaDate {
  int year = 0;  // as sent: two digits (0-99) from RMC, four from ZDA
  int month = 0;
  int day = 0;
  bool four_digit_year = false;
};

struct NmeaSentence {
  NmeaType type = NmeaType::other;
  std::array<char, 3> talker{};  // "GP", "GN", "GL", "GA", "GB", "BD", "GQ", ...
  std::optional<NmeaTimeOfDay> time;
  std::optional<NmeaDate> date;
  // Whether the receiver says its solution comes from the sky: RMC/GLL status A with a mode (if
  // sent) of A/D/P/R/F, GGA quality 1-5, a GNS mode letter A/D/P/R/F, GSA fix 2D/3D. Estimated,
  // manual and simulator modes are not. ZDA carries no such flag (nullopt).
  std::optional<bool> fix_valid;
  // The solution is dead reckoning / estimated (GGA quality 6, mode E): not a fix, unless the
  // operator says the receiver reports nothing better (`fix estimated`).
  bool estimated = false;
  int fix_quality = -1;  // GGA: 0 none, 1 GPS, 2 DGPS, 4/5 RTK ...; GSA: 1 none, 2 2D, 3 3D
  int satellites = -1;   // used (GGA/GNS) or in view (GSV)
  double hdop = -1.0;
};

struct NmeaParseResult {
  NmeaStatus status = NmeaStatus::no_start;
  NmeaSentence sentence;
};

// `line` is one sentence, with or without its trailing CR/LF.
NmeaParseResult parse_nmea_sentence(std::string_view line);

}  // namespace stratumd
