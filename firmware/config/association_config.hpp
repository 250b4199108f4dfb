// The association lines of ntp.conf — `server`/`pool`/`peer` HOST, `broadcast`, `manycastclient`,
// `manycastserver`, `multicastclient`, `broadcastclient`, `broadcastdelay` — checked option by
// option as ntpd's grammar has them, and kept for the association engine. Host names are kept as
// written: they are resolved at run time. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "firmware/ntp/association_line.hpp"

namespace stratumd {

// Parses one association directive (words[0] names it). An error message naming the option and
// what would be valid, or empty.
[[nodiscard]] std::string parse_association(const std::vector<std::string>& words,
                                            AssociationLine& out);

// `broadcastdelay SECONDS`: the one-way delay broadcast clients assume before calibrating.
[[nodiscard]] std::string parse_broadcast_delay(const std::vector<std::string>& words,
                                                double& seconds);

}  // namespace stratumd
