#include "firmware/status_line.hpp"

#include <cinttypes>
#include <cstdio>
#include <ctime>

namespace stratumd {
namespace {

std::string format_seconds_signed(Nanoseconds d) {
  char text[32];
  const double us = static_cast<double>(d.count()) / 1e3;
  if (us > -1000.0 && us < 1000.0) {
    std::snprintf(text, sizeof text, "%+.2fus", us);
  } else {
    std::snprintf(text, sizeof text, "%+.6fs", us / 1e6);
  }
  return text;
}

}  // namespace

void print_status_line(const LoopStatus& loop, const ServerCounters& served,
                       const std::string& extra) {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &utc);
  std::printf("%s state=%s servo=%s offset=%s freq=%+.3fppm jitter=%s requests=%" PRIu64
              " answered=%" PRIu64 " kod=%" PRIu64 " dropped=%" PRIu64 " restricted=%" PRIu64
              " limited=%" PRIu64 "%s%s\n",
              when, to_string(loop.state), loop.servo,
              format_seconds_signed(loop.last_offset).c_str(), loop.frequency_ppm,
              format_seconds_signed(loop.jitter).c_str() + 1, served.received, served.answered(),
              served.outcome(RequestOutcome::kod_sent), served.dropped(),
              served.outcome(RequestOutcome::dropped_restricted),
              served.outcome(RequestOutcome::dropped_rate_limited), extra.empty() ? "" : " ",
              extra.c_str());
  std::fflush(stdout);
}

}  // namespace stratumd
