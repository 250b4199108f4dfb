// RFC 5905's system process as pure code: the selection (intersection) algorithm finds the
// truechimers, the largest group of sources whose correctness intervals (offset ± root distance)
// share a point, tolerating fewer than half falsetickers; the cluster algorithm prunes outliers by
// selection jitter; the combine algorithm averages the survivors weighted by 1/root distance.
// Plus stratumd's GPS sanity check: a reference clock that a quorum of independent network
// sources contradicts is a falseticker (spoofing, a wrong second, a rollover bug), even though it
// is the better clock. One source, or several that share an upstream, can never outvote it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace stratumd {

struct Candidate {
  double offset = 0.0;         // s
  double root_distance = 0.0;  // s: half the width of the correctness interval
  double jitter = 0.0;         // s: the peer's own jitter
  int stratum = 16;
  bool prefer = false;      // `prefer`: the system peer whenever it survives
  bool truechimer = false;  // `true`: survives selection and clustering whatever it says
  // Sources with the same lineage are not independent witnesses (stratum 1: each is its own;
  // above: those following the same upstream, or one following another, share it).
  std::uint32_t lineage = 0;
};

struct Selection {
  std::vector<std::size_t> truechimers;  // indices into the candidates, in input order
  std::vector<std::size_t> falsetickers;
  std::vector<std::size_t> survivors;  // after clustering; the first is the system peer
  std::optional<double> low, high;     // the intersection interval
  double offset = 0.0;                 // combined
  double jitter = 0.0;                 // selection jitter of the survivors
  bool majority = false;               // false: no intersection of a majority
};

inline constexpr std::size_t kMinClusterSurvivors = 3;  // RFC 5905's NMIN

Selection select_sources(const std::vector<Candidate>& candidates);

struct SanityVerdict {
  bool checked = false;  // a network majority of at least `quorum` lineages existed
  bool falseticker = false;
  double disagreement = 0.0;  // s by which the reference clock misses the network's interval
  std::size_t witnesses = 0;  // distinct lineages among the network's truechimers
  // Lineages outside that majority whose own interval, widened by `bound`, holds the reference
  // clock: a pulse-backed reference clock with one of them outranks servers that agree only with
  // each other.
  std::size_t seconded_by = 0;
};

// The reference clock's interval (its own sample error, not what we serve) against the network
// majority's, widened by `bound` seconds; judged only when that majority's truechimers span at
// least `quorum` lineages (never fewer than two). A `pulse_backed` reference clock (PPS) that an
// independent source outside the majority agrees with is not a falseticker.
SanityVerdict check_reference_clock(const Candidate& reference,
                                    const std::vector<Candidate>& network, double bound,
                                    std::size_t quorum, bool pulse_backed = false);

}  // namespace stratumd
