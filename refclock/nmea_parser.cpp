#include "refclock/nmea_parser.hpp"

#include <charconv>

namespace stratumd {
namespace {

constexpr std::size_t kMaxFields = 40;

struct Fields {
  std::array<std::string_view, kMaxFields> at{};
  std::size_t count = 0;
  std::string_view operator[](std::size_t i) const {
    return i < count ? at[i] : std::string_view{};
  }
};

// Unsigned decimal digits only: from_chars alone would take a leading '-' (hour -1, year -1).
bool parse_digits(std::string_view text, int& out) {
  if (text.empty() || text.size() > 9) return false;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
  }
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

std::optional<NmeaTimeOfDay> parse_time(std::string_view f) {
  // hhmmss[.s...]
  if (f.size() < 6) return std::nullopt;
  NmeaTimeOfDay t;
  if (!parse_digits(f.substr(0, 2), t.hour) || !parse_digits(f.substr(2, 2), t.minute) ||
      !parse_digits(f.substr(4, 2), t.second)) {
    return std::nullopt;
  }
  if (t.hour > 23 || t.minute > 59 || t.second > 60) return std::nullopt;
  if (f.size() > 6) {
    if (f[6] != '.') return std::nullopt;
    std::int32_t scale = 100'000'000;
    for (std::size_t i = 7; i < f.size(); ++i) {
      if (f[i] < '0' || f[i] > '9') return std::nullopt;
      t.nanosecond += (f[i] - '0') * scale;
      scale /= 10;
    }
  }
  return t;
}

// RMC's ddmmyy.
std::optional<NmeaDate> parse_ddmmyy(std::string_view f) {
  NmeaDate d;
  if (f.size() != 6 || !parse_digits(f.substr(0, 2), d.day) ||
      !parse_digits(f.substr(2, 2), d.month) || !parse_digits(f.substr(4, 2), d.year)) {
    return std::nullopt;
  }
  if (d.day < 1 || d.day > 31 || d.month < 1 || d.month > 12) return std::nullopt;
  return d;
}

std::optional<double> parse_number(std::string_view f) {
  double value = 0;
  if (!f.empty() && f.front() == '-') return std::nullopt;  // no negative DOP
  const auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), value);
  if (f.empty() || ec != std::errc{} || end != f.data() + f.size()) return std::nullopt;
  return value;
}

int parse_int_or(std::string_view f, int fallback) {
  int value = 0;
  return parse_digits(f, value) ? value : fallback;
}

using Handler = NmeaStatus (*)(const Fields&, NmeaSentence&);

// Each handler reads fields by their NMEA position; field 0 is the address ("GPRMC").
// NMEA 2.3+ mode indicators (RMC, GLL, one per constellation in GNS): a solution from signals is
// A autonomous, D differential, P precise, R RTK, F float RTK. E (dead reckoning), M (manual
// input), S (simulator) and N (none) are not time from the sky.
bool mode_from_signals(char mode) {
  return mode == 'A' || mode == 'D' || mode == 'P' || mode == 'R' || mode == 'F';
}

// RMC and GLL: status A, and the mode (when the receiver sends one) a solution from signals.
bool status_and_mode_valid(std::string_view status, std::string_view mode) {
  return status == "A" && (mode.empty() || (mode.size() == 1 && mode_from_signals(mode[0])));
}

NmeaStatus handle_rmc(const Fields& f, NmeaSentence& s) {
  // $xxRMC,time,status,lat,N,lon,E,speed,course,date,magvar,E[,mode[,navstatus]]
  if (!f[1].empty() && !(s.time = parse_time(f[1]))) return NmeaStatus::bad_field;
  if (!f[9].empty() && !(s.date = parse_ddmmyy(f[9]))) return NmeaStatus::bad_field;
  s.fix_valid = status_and_mode_valid(f[2], f[12]);
  s.estimated = f[12] == "E";
  return NmeaStatus::ok;
}

NmeaStatus handle_gga(const Fields& f, NmeaSentence& s) {
  // $xxGGA,time,lat,N,lon,E,quality,sats,hdop,alt,M,sep,M,age,station
  if (!f[1].empty() && !(s.time = parse_time(f[1]))) return NmeaStatus::bad_field;
  s.fix_quality = parse_int_or(f[6], 0);
  // 1 GPS, 2 DGPS, 3 PPS, 4 RTK fixed, 5 RTK float; not 6 (estimated), 7 (manual), 8 (simulator).
  s.fix_valid = s.fix_quality >= 1 && s.fix_quality <= 5;
  s.estimated = s.fix_quality == 6;
  s.satellites = parse_int_or(f[7], -1);
  if (const auto hdop = parse_number(f[8])) s.hdop = *hdop;
  return NmeaStatus::ok;
}

NmeaStatus handle_gll(const Fields& f, NmeaSentence& s) {
  // $xxGLL,lat,N,lon,E,time,status[,mode]
  if (!f[5].empty() && !(s.time = parse_time(f[5]))) return NmeaStatus::bad_field;
  s.fix_valid = status_and_mode_valid(f[6], f[7]);
  s.estimated = f[7] == "E";
  return NmeaStatus::ok;
}

NmeaStatus handle_zda(const Fields& f, NmeaSentence& s) {
  // $xxZDA,time,dd,mm,yyyy,zone_h,zone_m
  if (!f[1].empty() && !(s.time = parse_time(f[1]))) return NmeaStatus::bad_field;
  if (!f[2].empty() || !f[3].empty() || !f[4].empty()) {
    NmeaDate d;
    d.four_digit_year = true;
    if (!parse_digits(f[2], d.day) || !parse_digits(f[3], d.month) || !parse_digits(f[4], d.year) ||
        d.day < 1 || d.day > 31 || d.month < 1 || d.month > 12 || d.year < 1980 || d.year > 9999) {
      return NmeaStatus::bad_field;
    }
    s.date = d;
  }
  return NmeaStatus::ok;
}

NmeaStatus handle_gns(const Fields& f, NmeaSentence& s) {
  // $xxGNS,time,lat,N,lon,E,mode(s),sats,hdop,alt,sep,age,station[,navstatus]
  if (!f[1].empty() && !(s.time = parse_time(f[1]))) return NmeaStatus::bad_field;
  s.fix_valid = false;
  for (const char mode : f[6]) s.fix_valid = *s.fix_valid || mode_from_signals(mode);
  s.estimated = f[6].find('E') != std::string_view::npos;
  s.satellites = parse_int_or(f[7], -1);
  if (const auto hdop = parse_number(f[8])) s.hdop = *hdop;
  return NmeaStatus::ok;
}

NmeaStatus handle_gsa(const Fields& f, NmeaSentence& s) {
  // $xxGSA,mode,fix(1-3),sv x12,pdop,hdop,vdop
  s.fix_quality = parse_int_or(f[2], 1);
  s.fix_valid = s.fix_quality >= 2;
  if (const auto hdop = parse_number(f[16])) s.hdop = *hdop;
  return NmeaStatus::ok;
}

NmeaStatus handle_gsv(const Fields& f, NmeaSentence& s) {
  // $xxGSV,total_msgs,msg_no,sats_in_view,...
  s.satellites = parse_int_or(f[3], -1);
  return NmeaStatus::ok;
}

struct SentenceHandler {
  std::string_view name;
  NmeaType type;
  std::size_t min_fields;  // including the address field
  Handler handler;
};

constexpr std::array kHandlers{
    SentenceHandler{"RMC", NmeaType::rmc, 10, handle_rmc},
    SentenceHandler{"GGA", NmeaType::gga, 8, handle_gga},
    SentenceHandler{"GLL", NmeaType::gll, 7, handle_gll},
    SentenceHandler{"ZDA", NmeaType::zda, 5, handle_zda},
    SentenceHandler{"GNS", NmeaType::gns, 7, handle_gns},
    SentenceHandler{"GSA", NmeaType::gsa, 3, handle_gsa},
    SentenceHandler{"GSV", NmeaType::gsv, 4, handle_gsv},
};

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

const char* to_string(NmeaStatus status) {
  switch (status) {
    case NmeaStatus::ok:
      return "ok";
    case NmeaStatus::too_long:
      return "longer than 102 characters";
    case NmeaStatus::no_start:
      return "does not start with '$'";
    case NmeaStatus::binary_junk:
      return "binary bytes in the sentence";
    case NmeaStatus::missing_checksum:
      return "no checksum";
    case NmeaStatus::bad_checksum:
      return "checksum mismatch";
    case NmeaStatus::unknown_sentence:
      return "sentence type not used";
    case NmeaStatus::too_few_fields:
      return "too few fields";
    case NmeaStatus::bad_field:
      return "a field does not parse";
  }
  return "?";
}

NmeaParseResult parse_nmea_sentence(std::string_view line) {
  NmeaParseResult result;
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.size() + 2 > kMaxNmeaSentenceLength) {
    result.status = NmeaStatus::too_long;
    return result;
  }
  if (line.empty() || (line.front() != '$' && line.front() != '!')) {
    result.status = NmeaStatus::no_start;
    return result;
  }
  for (const char c : line) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7E) {
      result.status = NmeaStatus::binary_junk;
      return result;
    }
  }
  const auto star = line.rfind('*');
  if (star == std::string_view::npos || star + 3 != line.size()) {
    result.status = NmeaStatus::missing_checksum;
    return result;
  }
  const int high = hex_value(line[star + 1]);
  const int low = hex_value(line[star + 2]);
  unsigned sum = 0;
  for (std::size_t i = 1; i < star; ++i) sum ^= static_cast<unsigned char>(line[i]);
  if (high < 0 || low < 0 || static_cast<unsigned>(high * 16 + low) != sum) {
    result.status = NmeaStatus::bad_checksum;
    return result;
  }

  Fields fields;
  std::string_view body = line.substr(1, star - 1);
  for (;;) {
    const auto comma = body.find(',');
    if (fields.count == kMaxFields) break;
    fields.at[fields.count++] = body.substr(0, comma);
    if (comma == std::string_view::npos) break;
    body.remove_prefix(comma + 1);
  }
  const std::string_view address = fields[0];
  if (address.size() < 5) {
    result.status = NmeaStatus::unknown_sentence;
    return result;
  }
  NmeaSentence& s = result.sentence;
  // Talker ID is not checked (ntpd does not either); proprietary ($P...) sentences are skipped.
  s.talker = {address[0], address[1], '\0'};
  const std::string_view type = address.substr(address.size() - 3);
  for (const SentenceHandler& h : kHandlers) {
    if (h.name != type) continue;
    if (address.front() == 'P') break;
    s.type = h.type;
    if (fields.count < h.min_fields) {
      result.status = NmeaStatus::too_few_fields;
      return result;
    }
    result.status = h.handler(fields, s);
    return result;
  }
  result.status = NmeaStatus::unknown_sentence;
  return result;
}

}  // namespace stratumd
