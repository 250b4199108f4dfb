// The directives that tune the clock discipline: ntpd's `tinker`, `enable`/`disable`, `leapfile`,
// `leapsmearinterval`, and stratumd's `holdover`. Each returns an error message naming what would
// be valid, or empty.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "firmware/discipline/clock_discipline.hpp"

namespace stratumd {

struct DisciplineSettings {
  DisciplineConfig loop;
  std::optional<std::string> leapfile;
  bool kernel_discipline = false;  // `enable kernel`: the kernel's PLL/PPS loop steers
  bool stats_enabled = true;       // `disable stats` stops every statistics file
  // `enable auth` (ntpd's default): a host we have no line for (a calling symmetric peer, a
  // broadcaster) is heard only when it authenticates with a trusted key.
  bool auth_required = true;
  std::vector<std::string> warnings;  // accepted but not acted on, one per option
};

[[nodiscard]] std::string apply_tinker(DisciplineSettings& settings,
                                       const std::vector<std::string>& words);
[[nodiscard]] std::string apply_enable_disable(DisciplineSettings& settings,
                                               const std::vector<std::string>& words);
// `holdover SECONDS`
[[nodiscard]] std::string apply_holdover(DisciplineSettings& settings,
                                         const std::vector<std::string>& words);
// `leapsmearinterval SECONDS`: 0, or 600 to 86400 (the smear runs within the announcement day)
[[nodiscard]] std::string apply_leap_smear(DisciplineSettings& settings,
                                           const std::vector<std::string>& words);

}  // namespace stratumd
