// The association lines of ntp.conf — `server`/`pool`/`peer` HOST, `broadcast`, `manycastclient`,
// `manycastserver`, `multicastclient`, `broadcastclient`, `broadcastdelay` — checked option by
// option as ntpd's grammar has them, and kept for the association engine. Host names are kept as
// written: they are resolved at run time. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "firmware/net/ip_address.hpp"

namespace stratumd {

struct AssociationLine {
  enum class Kind {
    server,
    pool,
    peer,
    broadcast,
    manycastclient,
    manycastserver,
    multicastclient,
    broadcastclient
  };
  Kind kind = Kind::server;
  std::vector<std::string> addresses;  // one for server/pool/peer/broadcast; a list for some
  std::optional<IpFamily> family;      // -4 / -6
  int minpoll = 6;
  int maxpoll = 10;
  int version = 4;
  int ttl = 0;
  std::optional<std::uint32_t> key;
  bool iburst = false;
  bool burst = false;
  bool prefer = false;
  bool noselect = false;
  bool truechimer = false;  // `true`
  bool xleave = false;
  bool preempt = false;
  bool novolley = false;  // broadcastclient
  std::string file;
  int line = 0;
};

// Parses one association directive (words[0] names it). An error message naming the option and
// what would be valid, or empty.
[[nodiscard]] std::string parse_association(const std::vector<std::string>& words,
                                            AssociationLine& out);

// `broadcastdelay SECONDS`: the one-way delay broadcast clients assume before calibrating.
[[nodiscard]] std::string parse_broadcast_delay(const std::vector<std::string>& words,
                                                double& seconds);

}  // namespace stratumd
