// The leap indicator of NTP's header (RFC 5905): a leap second announced for the end of the day,
// or the clock unsynchronised. Used by the time and refclock layers as much as on the wire.
#pragma once

#include <cstdint>

namespace stratumd {

enum class LeapIndicator : std::uint8_t {
  none = 0,
  insert_second = 1,
  delete_second = 2,
  unsynchronised = 3,
};

}  // namespace stratumd
