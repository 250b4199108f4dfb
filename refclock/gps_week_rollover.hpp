// GPS week-number rollover: receivers with old firmware count weeks modulo 1024 and report dates
// 19.6 years in the past (last seen 2019-04-06). Like ntpd's `tos basedate`, a date before the
// base is moved forward by whole 1024-week periods until it is not.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace stratumd {

inline constexpr std::chrono::days kGpsRolloverPeriod{1024 * 7};

struct RolloverCorrection {
  std::chrono::sys_days date;
  int periods_added = 0;
};

RolloverCorrection correct_gps_week_rollover(std::chrono::sys_days date,
                                             std::chrono::sys_days base);

// "YYYY-MM-DD", validated by the calendar.
std::optional<std::chrono::sys_days> parse_iso_date(std::string_view text);

}  // namespace stratumd
