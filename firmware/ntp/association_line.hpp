// What one association line asks for (`server`/`pool`/`peer` HOST with its options, `broadcast`,
// `manycastclient`, …): the model the association engine runs from. The configuration layer
// parses it (firmware/config/association_config.hpp); host names are kept as written.
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

}  // namespace stratumd
