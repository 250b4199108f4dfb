// RFC 5905's system process as pure code: the selection (intersection) algorithm finds the
// truechimers, the largest group of sources whose correctness intervals (offset ± root distance)
// share a point, tolerating fewer than half falsetickers; the cluster algorithm prunes outliers by
// selection jitter; the combine algorithm averages the survivors weighted by 1/root distance.
// Plus stratumd's GPS sanity check: a reference clock that the network majority contradicts is a
// falseticker (spoofing, a wrong second, a rollover bug), even though it is the better clock.
#pragma once

#include <cstddef>
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
  bool checked = false;  // a network majority existed to check against
  bool falseticker = false;
  double disagreement = 0.0;  // s by which the reference clock misses the network's interval
};

// The reference clock's interval against the network majority's, widened by `bound` seconds.
SanityVerdict check_reference_clock(const Candidate& reference,
                                    const std::vector<Candidate>& network, double bound);

}  // namespace stratumd
