// Everything a server thread needs to answer a request, published by the main loop. Trivially
// copyable so it can sit behind a seqlock and be read without a lock on every packet.
#pragma once

#include <cstdint>
#include <type_traits>

#include "firmware/clock/clock.hpp"
#include "firmware/clock/clock_model.hpp"
#include "firmware/time/leap_indicator.hpp"

namespace stratumd {

enum class SyncState : std::uint8_t { unsynchronised, locking, locked, holdover };

const char* to_string(SyncState state);

struct ClockSnapshot {
  ClockModel model;
  SyncState state = SyncState::unsynchronised;
  LeapIndicator leap = LeapIndicator::unsynchronised;
  std::uint8_t stratum = 16;  // 16: unsynchronised (0 on the wire)
  std::int8_t precision = -20;
  std::uint32_t reference_id = 0;  // refclock name, or a kiss code while unsynchronised
  UtcTime reference_time{};        // last clock update; epoch when never updated
  Nanoseconds root_delay{0};
  Nanoseconds root_dispersion{0};  // at reference_time
  double dispersion_rate = 15e-6;  // s/s, added with the age of the last update
  double dispersion_wander = 0.0;  // s/s^1.5: the phase error random-walk FM builds in holdover
  bool has_stepped = false;        // kiss STEP rather than INIT while unsynchronised

  bool synchronised() const { return stratum < 16 && leap != LeapIndicator::unsynchronised; }
  // Root dispersion grown honestly to `now`: RFC 5905's phi times the age of the update, plus
  // what the measured frequency wander adds over long holdovers.
  Nanoseconds root_dispersion_at(UtcTime now) const;
};

static_assert(std::is_trivially_copyable_v<ClockSnapshot>);

}  // namespace stratumd
