#include "firmware/config/association_diff.hpp"

#include <algorithm>

namespace stratumd {
namespace {

using Kind = AssociationLine::Kind;

const char* kind_name(Kind kind) {
  switch (kind) {
    case Kind::server:
      return "server";
    case Kind::pool:
      return "pool";
    case Kind::peer:
      return "peer";
    case Kind::broadcast:
      return "broadcast";
    case Kind::manycastclient:
      return "manycastclient";
    case Kind::manycastserver:
      return "manycastserver";
    case Kind::multicastclient:
      return "multicastclient";
    case Kind::broadcastclient:
      return "broadcastclient";
  }
  return "association";
}

// Groups are joined on the server's socket at start; leaving one is not wired.
bool joins_groups(Kind kind) {
  return kind == Kind::multicastclient || kind == Kind::manycastserver;
}

std::string key_text(const std::optional<std::uint32_t>& key) {
  return key ? std::to_string(*key) : "none";
}

void compare_number(const char* name, int running, int next, std::vector<std::string>& what) {
  if (running != next) {
    what.push_back(std::string(name) + " " + std::to_string(running) + " -> " +
                   std::to_string(next));
  }
}

void compare_flag(const char* name, bool running, bool next, std::vector<std::string>& what) {
  if (running != next) what.push_back(std::string(name) + (next ? " on" : " off"));
}

std::vector<std::string> option_changes(const AssociationLine& a, const AssociationLine& b) {
  std::vector<std::string> what;
  if (a.key != b.key) what.push_back("key " + key_text(a.key) + " -> " + key_text(b.key));
  compare_number("minpoll", a.minpoll, b.minpoll, what);
  compare_number("maxpoll", a.maxpoll, b.maxpoll, what);
  compare_number("version", a.version, b.version, what);
  compare_number("ttl", a.ttl, b.ttl, what);
  compare_flag("iburst", a.iburst, b.iburst, what);
  compare_flag("burst", a.burst, b.burst, what);
  compare_flag("prefer", a.prefer, b.prefer, what);
  compare_flag("noselect", a.noselect, b.noselect, what);
  compare_flag("true", a.truechimer, b.truechimer, what);
  compare_flag("xleave", a.xleave, b.xleave, what);
  compare_flag("preempt", a.preempt, b.preempt, what);
  compare_flag("novolley", a.novolley, b.novolley, what);
  return what;
}

void join(std::string& out, const std::string& part) {
  out += (out.empty() ? "" : "; ") + part;
}

}  // namespace

std::string association_name(const AssociationLine& line) {
  std::string name = kind_name(line.kind);
  for (const std::string& address : line.addresses) name += " " + address;
  if (line.family) name += line.family == IpFamily::v4 ? " -4" : " -6";
  return name;
}

bool same_association(const AssociationLine& a, const AssociationLine& b) {
  return a.kind == b.kind && a.addresses == b.addresses && a.family == b.family;
}

bool AssociationDiff::changes_sources() const {
  return !removed.empty() || !added.empty() ||
         std::any_of(kept.begin(), kept.end(),
                     [](const AssociationChange& c) { return !c.what.empty(); });
}

std::string AssociationDiff::describe() const {
  std::string out;
  for (const AssociationLine& line : added) join(out, "added " + association_name(line));
  for (const AssociationLine& line : removed) join(out, "removed " + association_name(line));
  for (const AssociationChange& change : kept) {
    if (change.what.empty()) continue;
    std::string what;
    for (const std::string& w : change.what) what += (what.empty() ? "" : ", ") + w;
    join(out, association_name(change.next) + ": " + what);
  }
  return out;
}

AssociationDiff diff_associations(const std::vector<AssociationLine>& running,
                                  const std::vector<AssociationLine>& next) {
  AssociationDiff diff;
  std::vector<bool> matched(running.size(), false);
  for (const AssociationLine& line : next) {
    // The n-th line naming a host matches the n-th running line naming it.
    std::size_t i = 0;
    while (i < running.size() && (matched[i] || !same_association(running[i], line))) ++i;
    if (i == running.size()) {
      if (joins_groups(line.kind)) {
        diff.needs_restart.push_back("added " + association_name(line));
      } else {
        diff.added.push_back(line);
      }
      continue;
    }
    matched[i] = true;
    AssociationChange change{running[i], line, option_changes(running[i], line)};
    if (joins_groups(line.kind) && !change.what.empty()) {
      diff.needs_restart.push_back(association_name(line) + " options");
      change.next = running[i];
      change.what.clear();
    }
    diff.kept.push_back(std::move(change));
  }
  for (std::size_t i = 0; i < running.size(); ++i) {
    if (matched[i]) continue;
    if (joins_groups(running[i].kind)) {
      diff.needs_restart.push_back("removed " + association_name(running[i]));
    } else {
      diff.removed.push_back(running[i]);
    }
  }
  return diff;
}

}  // namespace stratumd
