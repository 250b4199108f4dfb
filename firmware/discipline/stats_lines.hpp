// ntpd's statistics file lines, so the tools that read ntpd's statistics files read ours:
//   loopstats: MJD seconds offset(s) frequency(ppm) jitter(s) wander(ppm) poll(log2)
//   peerstats: MJD seconds address status(hex) offset(s) delay(s) dispersion(s) jitter(s)
//   clockstats: MJD seconds address timecode (the receiver's sentence as received)
// and the file names `filegen … type day|week|month|year|age|none` gives them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "firmware/time/time_types.hpp"

namespace stratumd {

struct ModifiedJulianTime {
  std::int64_t day = 0;  // MJD
  double seconds = 0.0;  // past midnight UTC
};

ModifiedJulianTime modified_julian(UtcTime t);

std::string loopstats_line(UtcTime t, double offset_s, double frequency_ppm, double jitter_s,
                           double wander_ppm, int poll_log2);
std::string peerstats_line(UtcTime t, std::string_view address, std::uint16_t status,
                           double offset_s, double delay_s, double dispersion_s, double jitter_s);

std::string clockstats_line(UtcTime t, std::string_view address, std::string_view timecode);

enum class FilegenType { none, day, week, month, year };

// "loopstats.20261125" for type day, as ntpd names its generations; "loopstats" for none.
std::string filegen_file_name(std::string_view base, FilegenType type, UtcTime t);

}  // namespace stratumd
