#include "firmware/control/led_pattern.hpp"

namespace stratumd {

using std::chrono::milliseconds;

const char* to_string(LedState state) {
  switch (state) {
    case LedState::fault:
      return "fault";
    case LedState::unsynchronised:
      return "unsynchronised";
    case LedState::locking:
      return "locking";
    case LedState::locked:
      return "locked";
    case LedState::holdover:
      return "holdover";
  }
  return "?";
}

LedPattern led_pattern(LedState state) {
  switch (state) {
    case LedState::fault:
      return {{milliseconds{125}, milliseconds{125}}, 2};
    case LedState::unsynchronised:
      return {{milliseconds{100}, milliseconds{1900}}, 2};
    case LedState::locking:
      return {{milliseconds{500}, milliseconds{500}}, 2};
    case LedState::locked:
      return {{milliseconds{1000}}, 1};
    case LedState::holdover:
      return {{milliseconds{100}, milliseconds{200}, milliseconds{100}, milliseconds{1600}}, 4};
  }
  return {{milliseconds{125}, milliseconds{125}}, 2};
}

LedState led_state(SyncState state, bool fault) {
  switch (state) {
    case SyncState::locked:
      return LedState::locked;
    case SyncState::holdover:
      return LedState::holdover;
    case SyncState::locking:
      return fault ? LedState::fault : LedState::locking;
    case SyncState::unsynchronised:
      break;
  }
  return fault ? LedState::fault : LedState::unsynchronised;
}

}  // namespace stratumd
