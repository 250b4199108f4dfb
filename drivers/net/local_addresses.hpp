// The host's interface addresses (getifaddrs), for `interface` rules.
#pragma once

#include <vector>

#include "firmware/config/server_plan.hpp"

namespace stratumd {

std::vector<LocalAddress> list_local_addresses();
bool ipv6_available();

}  // namespace stratumd
