#include "firmware/clock/clock_snapshot.hpp"

#include <algorithm>
#include <cmath>

namespace stratumd {

const char* to_string(SyncState state) {
  switch (state) {
    case SyncState::unsynchronised:
      return "unsynchronised";
    case SyncState::locking:
      return "locking";
    case SyncState::locked:
      return "locked";
    case SyncState::holdover:
      return "holdover";
  }
  return "?";
}

Nanoseconds ClockSnapshot::root_dispersion_at(UtcTime now) const {
  const Nanoseconds age = std::max(Nanoseconds{0}, now - reference_time);
  const double seconds = to_seconds(age);
  return root_dispersion +
         from_seconds(seconds * dispersion_rate + dispersion_wander * seconds * std::sqrt(seconds));
}

}  // namespace stratumd
