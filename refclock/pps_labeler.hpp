// Pairs each PPS edge with the time label that names it. The label arrives after its edge (an
// NMEA sentence is sent once the second has begun), so the edge it names is the latest one that
// precedes its arrival by less than a second. A label may be handed over after the next edge
// was already seen (gpsd's SHM segment is read once a second, at any phase): the edge before is
// kept for it. A label whose seconds do not advance in step with the edges is refused: a wrong
// second must never reach the discipline.
#pragma once

#include <cstdint>
#include <optional>

#include "refclock/ref_sample.hpp"

namespace stratumd {

struct PpsLabelerCounters {
  std::uint64_t labelled = 0;
  std::uint64_t no_fix = 0;
  std::uint64_t no_edge = 0;     // label with no edge in the second before it
  std::uint64_t mismatched = 0;  // label and edge count disagree
  std::uint64_t doubled = 0;     // two edges within a second: which one is the second's?
};

class PpsLabeler {
 public:
  void on_edge(const PpsEdge& edge);
  std::optional<RefSample> on_label(const TimeLabel& label);
  // The clock the edges were stamped on was stepped: none of them may be labelled now.
  void forget_edges() {
    newest_.reset();
    older_.reset();
    doubled_ = false;
    last_sample_.reset();
  }

  const PpsLabelerCounters& counters() const { return counters_; }

 private:
  struct SeenEdge {
    PpsEdge edge;
    bool labelled = false;  // each edge is labelled once
  };
  // The latest edge and the one before it.
  std::optional<SeenEdge> newest_;
  std::optional<SeenEdge> older_;
  bool doubled_ = false;
  std::optional<RefSample> last_sample_;
  PpsLabelerCounters counters_;
};

}  // namespace stratumd
