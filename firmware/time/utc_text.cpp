#include "firmware/time/utc_text.hpp"

#include <chrono>
#include <cstdio>

namespace stratumd {

std::string utc_text(UtcTime t) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(t);
  const auto day = std::chrono::floor<std::chrono::days>(seconds);
  const std::chrono::year_month_day date{day};
  const std::chrono::hh_mm_ss clock{seconds - day};
  char text[40];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u %02d:%02d:%02d", int{date.year()},
                unsigned{date.month()}, unsigned{date.day()}, int(clock.hours().count()),
                int(clock.minutes().count()), int(clock.seconds().count()));
  return text;
}

std::string utc_minute_text(UtcTime t) {
  const std::string full = utc_text(t);  // "YYYY-MM-DD hh:mm:ss"
  return full.substr(0, 4) + full.substr(5, 2) + full.substr(8, 2) + full.substr(11, 2) +
         full.substr(14, 2);
}

}  // namespace stratumd
