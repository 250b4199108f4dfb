// Reference clock lines in both dialects operators bring: ntpd's `server 127.127.T.U …` plus
// `fudge 127.127.T.U …`, and NTPsec's `refclock NAME unit U …`; also stratumd's own `gpio` driver
// (a PPS on a GPIO line, which ntpd has no driver for).
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace stratumd {

struct SourceLocation;

namespace refclock_type {
inline constexpr int nmea = 20;
inline constexpr int pps = 22;
inline constexpr int shm = 28;
inline constexpr int gpsd_json = 46;
inline constexpr int gpio_pps = 200;  // stratumd's own numbers; no ntpd equivalent
inline constexpr int dcd_pps = 201;
}  // namespace refclock_type

struct RefclockOptions {
  int mode = 0;
  int minpoll = 4;
  bool prefer = false;
  bool noselect = false;
  std::optional<double> time1;  // s: PPS (or sample) offset
  std::optional<double> time2;  // s: NMEA end-of-line/serial delay; SHM: max difference
  std::optional<int> stratum;
  std::optional<std::string> refid;
  std::array<std::optional<bool>, 4> flags{};  // flag1..flag4
  std::optional<std::string> path;             // device; default /dev/gpsU, /dev/ppsU, ...
  std::optional<std::string> ppspath;          // NMEA's PPS device; default /dev/gpsppsU
  std::optional<int> baud;
  std::optional<int> gpio_line;
  // stratumd's `fix estimated` (fudge or refclock line): NMEA solutions the receiver calls
  // estimated (dead reckoning: GGA quality 6, mode E) count as a fix too, for receivers that
  // report nothing better while they hold time. Manual and simulator modes never do.
  bool accept_estimated_fix = false;

  bool flag(int n) const { return flags[static_cast<std::size_t>(n - 1)].value_or(false); }
  bool operator==(const RefclockOptions&) const = default;
};

// ntpd driver number for an NTPsec driver name ("nmea" -> 20), or nullopt.
std::optional<int> refclock_type_from_name(const std::string& name);
const char* refclock_type_name(int type);  // "NMEA", "PPS", "SHM", "GPSD_JSON", "GPIO_PPS"

// What a clock of `type` and `unit` opens: its `path`, else ntpd's default (/dev/gpsU for NMEA,
// /dev/ppsU for PPS); `refclock gpio` and `dcd` lines always name theirs. For gpsd the path is
// HOST:PORT; SHM has none (empty).
std::string refclock_device(int type, int unit, const RefclockOptions& options);
// The PPS device of an NMEA clock with flag1: its `ppspath`, else ntpd's /dev/gpsppsU.
std::string nmea_pps_device(int unit, const RefclockOptions& options);

// Applies `server` options (from word `first` on). Returns an error message, or empty.
[[nodiscard]] std::string apply_server_options(RefclockOptions& options,
                                               const std::vector<std::string>& words,
                                               std::size_t first);
// Applies `fudge` options (time1 time2 stratum refid flag1..flag4).
std::string apply_fudge_options(RefclockOptions& options, const std::vector<std::string>& words,
                                std::size_t first);
// Applies NTPsec `refclock` options: the fudge ones plus mode, minpoll, prefer, noselect, path,
// ppspath, baud, line.
std::string apply_refclock_options(RefclockOptions& options, const std::vector<std::string>& words,
                                   std::size_t first);

}  // namespace stratumd
