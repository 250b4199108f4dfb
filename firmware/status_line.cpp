#include "firmware/status_line.hpp"

#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <string>

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
  // One terminal line: the time of day, the clock, the requests; the kinds of unanswered request
  // and the receiver's counters only when there are any (the console's `status` has the rest).
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char when[16];
  std::strftime(when, sizeof when, "%H:%M:%SZ", &utc);
  std::string counts;
  const auto add = [&](const char* name, std::uint64_t n) {
    if (n == 0) return;
    char text[48];
    std::snprintf(text, sizeof text, " %s=%" PRIu64, name, n);
    counts += text;
  };
  add("kod", served.outcome(RequestOutcome::kod_sent));
  add("dropped", served.dropped());
  add("restricted", served.outcome(RequestOutcome::dropped_restricted));
  add("limited", served.outcome(RequestOutcome::dropped_rate_limited));
  std::printf("%s state=%s offset=%s freq=%+.3fppm jitter=%s requests=%" PRIu64 "%s%s%s\n", when,
              to_string(loop.state), format_seconds_signed(loop.last_offset).c_str(),
              loop.frequency_ppm, format_seconds_signed(loop.jitter).c_str() + 1, served.received,
              counts.c_str(), extra.empty() ? "" : " ", extra.c_str());
  std::fflush(stdout);
}

}  // namespace stratumd
