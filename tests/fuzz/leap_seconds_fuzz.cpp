// leap-seconds.list (IERS/NIST format): any text gives a table or a refusal with reasons, and a
// table only ever yields leaps of one second.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "firmware/discipline/leap_table.hpp"

using namespace stratumd;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const UtcTime now{std::chrono::seconds{1'800'000'000}};
  const LeapTableParse parsed =
      parse_leap_seconds_list(std::string_view(reinterpret_cast<const char*>(data), size), now);
  if (parsed.table) next_leap_from_table(*parsed.table, now);
  return 0;
}
