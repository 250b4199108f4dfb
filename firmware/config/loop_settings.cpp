#include "firmware/config/loop_settings.hpp"

#include <algorithm>
#include <cstdint>

namespace stratumd {

DisciplineConfig loop_settings(const DaemonConfig& config, bool allow_first_panic_step) {
  DisciplineConfig loop = config.discipline.loop;
  // Network samples come once a poll: a source is lost after three polls of the slowest
  // association without one (with none, the default stands).
  if (!config.associations.empty()) {
    const auto slowest = std::max_element(
        config.associations.begin(), config.associations.end(),
        [](const AssociationLine& a, const AssociationLine& b) { return a.maxpoll < b.maxpoll; });
    loop.network_sample_timeout = std::chrono::seconds{3 * (std::int64_t{1} << slowest->maxpoll)};
  }
  loop.allow_first_panic_step = allow_first_panic_step;
  return loop;
}

}  // namespace stratumd
