// Reads a `leapfile` from disk and says what came of it (entries, hash, expiry, refusal), in the
// words an operator needs; the parsing and checks are the pure leap_table's. The daemon at start
// and --check-config both load it here, so they say the same; what the operator should act on
// starts with "warning:".
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "firmware/discipline/leap_table.hpp"

namespace stratumd {

std::optional<LeapTable> load_leap_table(const std::string& path, UtcTime now,
                                         const std::function<void(const std::string&)>& log);

}  // namespace stratumd
