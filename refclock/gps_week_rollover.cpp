#include "refclock/gps_week_rollover.hpp"

#include <charconv>

namespace stratumd {

RolloverCorrection correct_gps_week_rollover(std::chrono::sys_days date,
                                             std::chrono::sys_days base) {
  RolloverCorrection r{date, 0};
  while (r.date < base) {
    r.date += kGpsRolloverPeriod;
    ++r.periods_added;
  }
  return r;
}

std::optional<std::chrono::sys_days> parse_iso_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int y = 0;
  unsigned m = 0, d = 0;
  const auto number = [](std::string_view part, auto& out) {
    const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), out);
    return ec == std::errc{} && end == part.data() + part.size();
  };
  if (!number(text.substr(0, 4), y) || !number(text.substr(5, 2), m) ||
      !number(text.substr(8, 2), d)) {
    return std::nullopt;
  }
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m},
                                        std::chrono::day{d}};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days{ymd};
}

}  // namespace stratumd
