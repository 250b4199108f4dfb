// Measures what one read of the served clock costs, for the precision field (as ntpd measures
// its clock's resolution at start).
#pragma once

#include "firmware/clock/clock.hpp"

namespace stratumd {

Nanoseconds measure_clock_read_cost(const Clock& clock);

}  // namespace stratumd
