#include "firmware/ntp/source_selection.hpp"

#include <algorithm>
#include <cmath>

namespace stratumd {
namespace {

struct Endpoint {
  double edge;
  int type;  // -1 low end, 0 midpoint, +1 high end (RFC 5905's convention)
};

// RFC 5905 A.5.5.1: the smallest interval containing points of at least n - allow intervals,
// with at most `allow` midpoints outside it.
bool intersect(const std::vector<Candidate>& c, double& low, double& high) {
  const std::size_t n = c.size();
  std::vector<Endpoint> points;
  points.reserve(3 * n);
  for (const Candidate& x : c) {
    points.push_back({x.offset - x.root_distance, -1});
    points.push_back({x.offset, 0});
    points.push_back({x.offset + x.root_distance, +1});
  }
  std::sort(points.begin(), points.end(), [](const Endpoint& a, const Endpoint& b) {
    return a.edge < b.edge || (a.edge == b.edge && a.type < b.type);
  });
  for (std::size_t allow = 0; 2 * allow < n; ++allow) {
    std::size_t found = 0;
    long chime = 0;
    bool have_low = false, have_high = false;
    for (const Endpoint& p : points) {
      chime -= p.type;
      if (chime >= static_cast<long>(n - allow)) {
        low = p.edge;
        have_low = true;
        break;
      }
      if (p.type == 0) ++found;
    }
    chime = 0;
    for (auto it = points.rbegin(); it != points.rend(); ++it) {
      chime += it->type;
      if (chime >= static_cast<long>(n - allow)) {
        high = it->edge;
        have_high = true;
        break;
      }
      if (it->type == 0) ++found;
    }
    if (found > allow) continue;
    if (have_low && have_high && high > low) return true;
  }
  return false;
}

double selection_jitter(const std::vector<Candidate>& c, const std::vector<std::size_t>& set,
                        std::size_t of) {
  if (set.size() < 2) return 0.0;
  double sum = 0.0;
  for (std::size_t j : set) sum += std::pow(c[of].offset - c[j].offset, 2);
  return std::sqrt(sum / static_cast<double>(set.size() - 1));
}

}  // namespace

Selection select_sources(const std::vector<Candidate>& candidates) {
  Selection s;
  if (candidates.empty()) return s;
  double low = 0.0, high = 0.0;
  const bool intersected = intersect(candidates, low, high);
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const Candidate& c = candidates[i];
    const bool outside =
        !intersected || c.offset - c.root_distance > high || c.offset + c.root_distance < low;
    (outside && !c.truechimer ? s.falsetickers : s.truechimers).push_back(i);
  }
  if (s.truechimers.empty()) return s;
  s.majority = true;  // an intersection, or a source declared `true`
  if (intersected) {
    s.low = low;
    s.high = high;
  }
  // Cluster: drop the survivor farthest from the others while that spread exceeds the best
  // peer's own jitter, keeping at least NMIN.
  std::vector<std::size_t> survivors = s.truechimers;
  while (survivors.size() > kMinClusterSurvivors) {
    std::size_t worst = 0;
    double worst_jitter = -1.0;
    double least_peer_jitter = INFINITY;
    for (std::size_t k = 0; k < survivors.size(); ++k) {
      const double j = selection_jitter(candidates, survivors, survivors[k]);
      if (j > worst_jitter && !candidates[survivors[k]].truechimer) {
        worst_jitter = j;
        worst = k;
      }
      least_peer_jitter = std::min(least_peer_jitter, candidates[survivors[k]].jitter);
    }
    if (worst_jitter < 0.0 || worst_jitter <= least_peer_jitter) break;
    survivors.erase(survivors.begin() + static_cast<std::ptrdiff_t>(worst));
  }
  // The system peer: a preferred survivor, else the lowest stratum, then the shortest distance.
  std::stable_sort(survivors.begin(), survivors.end(), [&](std::size_t a, std::size_t b) {
    const Candidate& x = candidates[a];
    const Candidate& y = candidates[b];
    if (x.prefer != y.prefer) return x.prefer;
    if (x.stratum != y.stratum) return x.stratum < y.stratum;
    return x.root_distance < y.root_distance;
  });
  s.survivors = survivors;
  // Combine, weighted by 1 / root distance.
  double weights = 0.0, sum = 0.0;
  for (std::size_t i : survivors) {
    const double w = 1.0 / std::max(candidates[i].root_distance, 1e-9);
    weights += w;
    sum += w * candidates[i].offset;
  }
  s.offset = sum / weights;
  s.jitter = survivors.empty() ? 0.0 : selection_jitter(candidates, survivors, survivors.front());
  return s;
}

SanityVerdict check_reference_clock(const Candidate& reference,
                                    const std::vector<Candidate>& network, double bound,
                                    std::size_t quorum, bool pulse_backed) {
  SanityVerdict v;
  const Selection majority = select_sources(network);
  if (!majority.majority || !majority.low || !majority.high) return v;
  std::vector<std::uint32_t> lineages;
  for (std::size_t i : majority.truechimers) lineages.push_back(network[i].lineage);
  std::sort(lineages.begin(), lineages.end());
  lineages.erase(std::unique(lineages.begin(), lineages.end()), lineages.end());
  v.witnesses = lineages.size();
  if (v.witnesses < std::max<std::size_t>(quorum, 2)) return v;
  v.checked = true;
  const double low = *majority.low - bound;
  const double high = *majority.high + bound;
  const double ref_low = reference.offset - reference.root_distance;
  const double ref_high = reference.offset + reference.root_distance;
  if (ref_low > high) {
    v.falseticker = true;
    v.disagreement = ref_low - high;
  } else if (ref_high < low) {
    v.falseticker = true;
    v.disagreement = low - ref_high;
  }
  if (!v.falseticker || !pulse_backed) return v;
  std::vector<std::uint32_t> seconds;
  for (const Candidate& c : network) {
    const bool agrees = c.offset - c.root_distance - bound <= ref_high &&
                        c.offset + c.root_distance + bound >= ref_low;
    if (agrees && !std::binary_search(lineages.begin(), lineages.end(), c.lineage))
      seconds.push_back(c.lineage);
  }
  std::sort(seconds.begin(), seconds.end());
  v.seconded_by =
      static_cast<std::size_t>(std::unique(seconds.begin(), seconds.end()) - seconds.begin());
  if (v.seconded_by > 0) v.falseticker = false;
  return v;
}

}  // namespace stratumd
