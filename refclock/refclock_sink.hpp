// The one way a reference-clock driver hands up what it read: a pulse (a PPS edge) or a time
// sample (what the reference said the time was at a moment), each with the stamp the kernel took
// on its own clock. Carrying the stamp onto the served clock, the fudges (time1, time2, refid) and
// whether a sample counts as PPS or serial time are the receiver's business (ReferenceSources),
// written once there, never in a driver.
#pragma once

#include <cstdint>

#include "firmware/time/leap_indicator.hpp"
#include "firmware/time/time_types.hpp"

namespace stratumd {

// The kernel clock a stamp was taken on: kernel PPS, SHM, gpsd and DCD stamp on CLOCK_REALTIME;
// GPIO line events on CLOCK_MONOTONIC.
enum class StampClock : std::uint8_t { realtime, monotonic };

struct KernelStamp {
  StampClock clock = StampClock::realtime;
  Nanoseconds time{0};  // since that clock's epoch
};

// What kind of time a sample carries, as far as the driver knows.
enum class SampleGrade : std::uint8_t {
  unstated,  // the driver cannot tell (gpsd's SHM units): the configuration decides
  pulse,     // PPS-grade: the instant of a second's edge
  serial     // NMEA-grade: a receiver's sentence, tens of milliseconds of jitter
};

struct RawSample {
  KernelStamp stamp;  // when our clock was read
  UtcTime reference;  // what it should have read then
  LeapIndicator leap = LeapIndicator::none;
  SampleGrade grade = SampleGrade::unstated;
};

class RefclockSink {
 public:
  virtual ~RefclockSink() = default;
  virtual void pulse(KernelStamp stamp) = 0;
  virtual void sample(const RawSample& sample) = 0;
};

}  // namespace stratumd
