// The kernel's clock loop as adjtimex(2) reports it (no change made, no privilege needed), in
// ntpd's units for ntpq's kerninfo.
#pragma once

#include <optional>

#include "firmware/control/control_variables.hpp"

namespace stratumd {

std::optional<KernelLoopState> read_kernel_loop();

}  // namespace stratumd
