// What reference-clock drivers hand upward: PPS edges stamped on the served clock, time labels
// that name an edge's UTC second, and the labelled samples the discipline steers by.
#pragma once

#include <cstdint>

#include "firmware/time/leap_indicator.hpp"
#include "firmware/time/time_types.hpp"

namespace stratumd {

struct PpsEdge {
  UtcTime local;  // the served clock's reading at the edge
};

// "The last edge was UTC second `second`", as an NMEA sentence or gpsd report says after the fact.
struct TimeLabel {
  std::int64_t second = 0;  // Unix seconds of the edge being named
  UtcTime received{};       // served clock when the label arrived
  bool has_fix = false;
  LeapIndicator leap = LeapIndicator::none;
};

struct RefSample {
  UtcTime local;      // served clock at the edge
  UtcTime reference;  // what it should have read
  LeapIndicator leap = LeapIndicator::none;
  // s^2: the sample's own error variance when its source measured it (a network sample's, from
  // its delay above the path's least); 0: the servo measures the noise of the stream itself.
  double variance = 0.0;

  Nanoseconds offset() const { return reference - local; }
};

}  // namespace stratumd
