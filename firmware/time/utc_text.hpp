// An instant as operators read it in the log: "YYYY-MM-DD hh:mm:ss" (UTC, whole seconds).
#pragma once

#include <string>

#include "firmware/time/time_types.hpp"

namespace stratumd {

std::string utc_text(UtcTime t);

}  // namespace stratumd
