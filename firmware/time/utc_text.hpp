// An instant as operators read it in the log: "YYYY-MM-DD hh:mm:ss" (UTC, whole seconds).
#pragma once

#include <string>

#include "firmware/time/time_types.hpp"

namespace stratumd {

std::string utc_text(UtcTime t);
// "YYYYMMDDhhmm": how ntpd's mode 6 writes a date (leapsec, expire).
std::string utc_minute_text(UtcTime t);

}  // namespace stratumd
