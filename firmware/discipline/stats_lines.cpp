#include "firmware/discipline/stats_lines.hpp"

#include <chrono>
#include <cstdio>

namespace stratumd {

using namespace std::chrono;

// 1970-01-01 is MJD 40587.
constexpr std::int64_t kMjdOfUnixEpoch = 40587;

ModifiedJulianTime modified_julian(UtcTime t) {
  const auto day = floor<days>(t);
  return {day.time_since_epoch().count() + kMjdOfUnixEpoch, to_seconds(t - day)};
}

std::string loopstats_line(UtcTime t, double offset_s, double frequency_ppm, double jitter_s,
                           double wander_ppm, int poll_log2) {
  const ModifiedJulianTime m = modified_julian(t);
  char line[160];
  std::snprintf(line, sizeof line, "%lld %.3f %.9f %.3f %.9f %.6f %d\n",
                static_cast<long long>(m.day), m.seconds, offset_s, frequency_ppm, jitter_s,
                wander_ppm, poll_log2);
  return line;
}

std::string peerstats_line(UtcTime t, std::string_view address, std::uint16_t status,
                           double offset_s, double delay_s, double dispersion_s, double jitter_s) {
  const ModifiedJulianTime m = modified_julian(t);
  char line[200];
  std::snprintf(line, sizeof line, "%lld %.3f %.*s %04x %.9f %.9f %.9f %.9f\n",
                static_cast<long long>(m.day), m.seconds, static_cast<int>(address.size()),
                address.data(), status, offset_s, delay_s, dispersion_s, jitter_s);
  return line;
}

std::string clockstats_line(UtcTime t, std::string_view address, std::string_view timecode) {
  const ModifiedJulianTime m = modified_julian(t);
  char line[256];
  std::snprintf(line, sizeof line, "%lld %.3f %.*s %.*s\n", static_cast<long long>(m.day),
                m.seconds, static_cast<int>(address.size()), address.data(),
                static_cast<int>(timecode.size()), timecode.data());
  return line;
}

std::string filegen_file_name(std::string_view base, FilegenType type, UtcTime t) {
  const year_month_day ymd{floor<days>(t)};
  char suffix[32] = "";
  switch (type) {
    case FilegenType::none:
      break;
    case FilegenType::day:
      std::snprintf(suffix, sizeof suffix, ".%04d%02u%02u", int(ymd.year()), unsigned(ymd.month()),
                    unsigned(ymd.day()));
      break;
    case FilegenType::week: {
      // ntpd: the (1-based) day of the year divided by 7.
      const auto day_of_year = (floor<days>(t) - sys_days{ymd.year() / January / 1}).count() + 1;
      std::snprintf(suffix, sizeof suffix, ".%04dw%02lld", int(ymd.year()),
                    static_cast<long long>(day_of_year / 7));
      break;
    }
    case FilegenType::month:
      std::snprintf(suffix, sizeof suffix, ".%04d%02u", int(ymd.year()), unsigned(ymd.month()));
      break;
    case FilegenType::year:
      std::snprintf(suffix, sizeof suffix, ".%04d", int(ymd.year()));
      break;
  }
  return std::string(base) + suffix;
}

}  // namespace stratumd
