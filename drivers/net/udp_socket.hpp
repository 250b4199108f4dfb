// A non-blocking, close-on-exec datagram socket. The flags are set with fcntl() after a plain
// socket() call rather than folded into the type: a clock-and-network simulator that intercepts
// socket() (clknetsim) accepts only the plain types, and the result is the same on a real kernel.
#pragma once

#include "drivers/os/unique_fd.hpp"

namespace stratumd {

// Throws std::system_error naming `what` when the socket cannot be created.
UniqueFd open_udp_socket(int family, const char* what);

}  // namespace stratumd
