#include "firmware/leap_table_loader.hpp"

#include "drivers/os/text_file.hpp"

namespace stratumd {

std::optional<LeapTable> load_leap_table(const std::string& path, UtcTime now,
                                         const std::function<void(const std::string&)>& log) {
  const auto text = read_text_file(path);
  if (!text) {
    log("warning: leapfile " + path + " cannot be read; leap warnings come from the receiver only");
    return std::nullopt;
  }
  LeapTableParse leap = parse_leap_seconds_list(*text, now);
  // Not errors of the configuration: the daemon runs on, with the receiver's leap warnings.
  for (const std::string& e : leap.errors) log("warning: leapfile " + path + ": " + e);
  for (const std::string& w : leap.warnings) log("warning: leapfile " + path + ": " + w);
  if (leap.table) {
    log("leapfile " + path + ": " + std::to_string(leap.table->entries.size()) +
        " entries, TAI-UTC " + std::to_string(leap.table->entries.back().tai_offset) + " s" +
        (leap.table->hash_checked ? ", hash verified" : ""));
  } else {
    log("warning: leapfile " + path + " refused; leap warnings come from the receiver");
  }
  return std::move(leap.table);
}

}  // namespace stratumd
