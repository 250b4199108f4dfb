// The reference identifier a stratum-2+ server gives for the source it follows (RFC 5905 §7.3):
// an IPv4 address as itself, an IPv6 address as the first four octets of its MD5 digest. The same
// mapping lets us recognise a source that follows us (a timing loop) by its refid.
#pragma once

#include <cstdint>

#include "firmware/net/ip_address.hpp"

namespace stratumd {

std::uint32_t reference_id_for(const IpAddress& address);

}  // namespace stratumd
