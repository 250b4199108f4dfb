#include "firmware/discipline/leap_table.hpp"

#include <openssl/evp.h>

#include <array>
#include <charconv>
#include <cstdio>

namespace stratumd {
namespace {

// Seconds from the NTP era-0 epoch (1900) to the Unix epoch.
constexpr std::int64_t kNtpToUnix = 2208988800;
// NTP seconds a list may name: eras 0 and 1 (to 2172). Beyond, the arithmetic on them (and on the
// nanosecond times built from them) would overflow; no real list comes near.
constexpr std::int64_t kMaxNtpSeconds = std::int64_t{1} << 33;
constexpr int kMaxTaiOffset = 1000;

bool plausible_ntp_seconds(std::int64_t value) {
  return value >= 0 && value < kMaxNtpSeconds;
}

std::vector<std::string_view> split_words(std::string_view line) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    const std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
    if (i > start) words.push_back(line.substr(start, i - start));
  }
  return words;
}

template <typename T>
std::optional<T> parse_number(std::string_view text, int base = 10) {
  T value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::array<std::uint32_t, 5> sha1_words(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha1(), nullptr);
  std::array<std::uint32_t, 5> words{};
  for (std::size_t i = 0; i < words.size(); ++i) {
    words[i] = std::uint32_t{digest[4 * i]} << 24 | std::uint32_t{digest[4 * i + 1]} << 16 |
               std::uint32_t{digest[4 * i + 2]} << 8 | std::uint32_t{digest[4 * i + 3]};
  }
  return words;
}

std::string iso_date(std::int64_t unix_seconds) {
  const auto days = std::chrono::floor<std::chrono::days>(
      std::chrono::sys_seconds{std::chrono::seconds{unix_seconds}});
  const std::chrono::year_month_day date{days};
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", int{date.year()}, unsigned{date.month()},
                unsigned{date.day()});
  return text;
}

}  // namespace

LeapTableSummary summarize_leap_table(const LeapTable& table, UtcTime now) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(now).time_since_epoch().count();
  LeapTableSummary summary;
  for (const LeapEntry& entry : table.entries) {
    if (entry.unix_seconds <= seconds) summary.tai_offset = entry.tai_offset;
  }
  if (!table.entries.empty()) summary.last_transition = table.entries.back().unix_seconds;
  summary.expires = table.expires;
  return summary;
}

bool LeapTable::expired_at(UtcTime now) const {
  return std::chrono::floor<std::chrono::seconds>(now).time_since_epoch().count() >= expires;
}

LeapTableParse parse_leap_seconds_list(std::string_view text, UtcTime now) {
  LeapTableParse result;
  LeapTable table;
  // The hash covers the digits of the update time, the expiry and every entry's two numbers.
  std::string hashed;
  std::optional<std::array<std::uint32_t, 5>> claimed_hash;
  int line_number = 0;
  const auto fail = [&](const std::string& what) {
    result.errors.push_back("line " + std::to_string(line_number) + ": " + what);
  };
  std::size_t position = 0;
  while (position <= text.size()) {
    const std::size_t end = std::min(text.find('\n', position), text.size());
    const std::string_view line = text.substr(position, end - position);
    position = end + 1;
    ++line_number;
    if (line.starts_with("#$") || line.starts_with("#@")) {
      const auto words = split_words(line.substr(2));
      const auto value = words.empty() ? std::nullopt : parse_number<std::int64_t>(words[0]);
      if (!value || !plausible_ntp_seconds(*value)) {
        fail(std::string(line.substr(0, 2)) +
             " needs an NTP time in seconds, in range (0 to 2^33)");
        continue;
      }
      (line[1] == '$' ? table.updated : table.expires) = *value - kNtpToUnix;
      hashed += words[0];
    } else if (line.starts_with("#h")) {
      const auto words = split_words(line.substr(2));
      std::array<std::uint32_t, 5> hash{};
      bool valid = words.size() == 5;
      for (std::size_t i = 0; valid && i < 5; ++i) {
        const auto word = parse_number<std::uint32_t>(words[i], 16);
        valid = word.has_value();
        if (valid) hash[i] = *word;
      }
      if (!valid) {
        fail("#h needs five hexadecimal words");
        continue;
      }
      claimed_hash = hash;
    } else if (line.starts_with('#') || split_words(line).empty()) {
      continue;
    } else {
      const auto words = split_words(line.substr(0, line.find('#')));
      const auto when = words.size() >= 2 ? parse_number<std::int64_t>(words[0]) : std::nullopt;
      const auto offset = words.size() >= 2 ? parse_number<int>(words[1]) : std::nullopt;
      if (!when || !offset) {
        fail("'" + std::string(line) + "' is not 'NTP-SECONDS TAI-OFFSET [# comment]'");
        continue;
      }
      if (!plausible_ntp_seconds(*when) || *offset < 0 || *offset > kMaxTaiOffset) {
        fail("'" + std::string(line) + "' is out of range (NTP seconds 0 to 2^33, offset 0 to " +
             std::to_string(kMaxTaiOffset) + ")");
        continue;
      }
      if (!table.entries.empty() && *when - kNtpToUnix <= table.entries.back().unix_seconds) {
        fail("entries are not in time order");
        continue;
      }
      table.entries.push_back({*when - kNtpToUnix, *offset});
      hashed += words[0];
      hashed += words[1];
    }
  }
  if (table.entries.empty()) result.errors.push_back("no leap second entries");
  if (table.expires == 0) result.errors.push_back("no expiry (#@) line");
  if (claimed_hash) {
    if (sha1_words(hashed) != *claimed_hash) {
      result.errors.push_back("the #h hash does not match the contents (damaged or edited file)");
    } else {
      table.hash_checked = true;
    }
  } else {
    result.warnings.push_back("no #h hash line: the contents cannot be verified");
  }
  if (!result.errors.empty()) return result;
  if (table.expired_at(now)) {
    result.warnings.push_back("expired on " + iso_date(table.expires) +
                              "; install a current leap-seconds.list (the receiver's leap "
                              "warnings are used meanwhile)");
  }
  result.table = std::move(table);
  return result;
}

std::optional<LeapEvent> next_leap_from_table(const LeapTable& table, UtcTime now) {
  for (std::size_t i = 1; i < table.entries.size(); ++i) {
    const LeapEntry& e = table.entries[i];
    const int direction = e.tai_offset - table.entries[i - 1].tai_offset;
    if (direction != 1 && direction != -1) continue;
    // An insertion repeats the last second before the new offset applies; a deletion skips it.
    const UtcTime at{std::chrono::seconds{direction > 0 ? e.unix_seconds : e.unix_seconds - 1}};
    if (at > now) return LeapEvent{at, direction};
  }
  return std::nullopt;
}

std::optional<LeapEvent> leap_from_warning(LeapIndicator warning, UtcTime now) {
  if (warning != LeapIndicator::insert_second && warning != LeapIndicator::delete_second) {
    return std::nullopt;
  }
  const std::chrono::year_month_day today{std::chrono::floor<std::chrono::days>(now)};
  const std::chrono::sys_days next_month{today.year() / today.month() / 1 + std::chrono::months{1}};
  const int direction = warning == LeapIndicator::insert_second ? 1 : -1;
  const UtcTime at = next_month - std::chrono::seconds{direction > 0 ? 0 : 1};
  return LeapEvent{at, direction};
}

}  // namespace stratumd
