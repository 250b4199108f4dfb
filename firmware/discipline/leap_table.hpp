// Leap seconds: the IERS/NIST `leap-seconds.list` file (as `leapfile` names it) with its update
// time, expiry and SHA-1 hash checked, and the rule that turns a table or a receiver's leap warning
// into the one leap to prepare for. Pure: text in, times out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "firmware/clock/clock.hpp"
#include "firmware/time/leap_indicator.hpp"
#include "firmware/time/time_types.hpp"

namespace stratumd {

struct LeapEntry {
  std::int64_t unix_seconds = 0;  // from this instant (00:00:00 UTC)...
  int tai_offset = 0;             // ...TAI - UTC is this many seconds
};

struct LeapTable {
  std::vector<LeapEntry> entries;  // in time order
  std::int64_t updated = 0;        // Unix seconds
  std::int64_t expires = 0;        // Unix seconds
  bool hash_checked = false;       // false: the file carried no hash

  bool expired_at(UtcTime now) const;
};

// What ntpq's `rv` shows of a table (ntpd's tai, leapsec, expire).
struct LeapTableSummary {
  int tai_offset = 0;                // TAI - UTC at `now`
  std::int64_t last_transition = 0;  // the table's last entry (Unix seconds)
  std::int64_t expires = 0;          // Unix seconds
  bool operator==(const LeapTableSummary&) const = default;
};
LeapTableSummary summarize_leap_table(const LeapTable& table, UtcTime now);

struct LeapTableParse {
  std::optional<LeapTable> table;  // nullopt: refused (errors say why)
  std::vector<std::string> errors;
  std::vector<std::string> warnings;
};

// `now` is only used to warn about an expired file.
LeapTableParse parse_leap_seconds_list(std::string_view text, UtcTime now);

// The next leap after `now` from the table, if any.
std::optional<LeapEvent> next_leap_from_table(const LeapTable& table, UtcTime now);
// A receiver's warning means the end of the current month (June and December in practice; the
// ITU allows any month).
std::optional<LeapEvent> leap_from_warning(LeapIndicator warning, UtcTime now);

// Clients are told in the LI bits, and the clock is armed, during the day before the leap.
inline constexpr std::chrono::hours kLeapAnnouncement{24};

}  // namespace stratumd
