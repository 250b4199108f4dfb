// What a reload changes in the `server`/`pool`/`peer`/`broadcast`/`manycastclient`/
// `broadcastclient` lines: lines are the same association when they name the same host in the
// same role (kind, addresses, -4/-6), wherever they sit in the file; their options may change
// around them. Pure, so the reload's report and the live reconciliation
// (firmware/network_sources.hpp) read the same decision.
#pragma once

#include <string>
#include <vector>

#include "firmware/config/association_config.hpp"

namespace stratumd {

struct AssociationChange {
  AssociationLine running;
  AssociationLine next;
  std::vector<std::string> what;  // "key 1 -> 2", "prefer on"; empty when only the line moved
};

struct AssociationDiff {
  std::vector<AssociationLine> removed;
  std::vector<AssociationLine> added;
  std::vector<AssociationChange> kept;  // every line in both, changed or not
  // Changes a running daemon cannot make (multicast groups are joined once, at start).
  std::vector<std::string> needs_restart;

  bool changes_sources() const;
  // "added server 127.0.0.5; removed server 127.0.0.2; server 127.0.0.3: key 1 -> 2", or empty.
  std::string describe() const;
};

AssociationDiff diff_associations(const std::vector<AssociationLine>& running,
                                  const std::vector<AssociationLine>& next);

// `server 127.0.0.2`, `pool pool.example.org`, `broadcastclient`.
std::string association_name(const AssociationLine& line);

// Whether two lines ask for the same association (the host in the same role).
bool same_association(const AssociationLine& a, const AssociationLine& b);

}  // namespace stratumd
