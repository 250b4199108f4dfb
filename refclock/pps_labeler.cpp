#include "refclock/pps_labeler.hpp"

#include <chrono>
#include <cmath>

namespace stratumd {

// Edges closer than this are not one pulse a second: both edges of the pulse captured, or noise.
constexpr std::chrono::milliseconds kMinEdgeSpacing{900};

void PpsLabeler::on_edge(const PpsEdge& edge) {
  if (previous_edge_ && edge.local - previous_edge_->local < kMinEdgeSpacing) doubled_ = true;
  previous_edge_ = edge;
  last_edge_ = edge;
}

std::optional<RefSample> PpsLabeler::on_label(const TimeLabel& label) {
  if (doubled_) {
    doubled_ = false;
    ++counters_.doubled;
    last_edge_.reset();
    last_sample_.reset();
    return std::nullopt;
  }
  if (!label.has_fix) {
    ++counters_.no_fix;
    return std::nullopt;
  }
  const auto age = last_edge_ ? label.received - last_edge_->local : Nanoseconds::max();
  if (!last_edge_ || age < Nanoseconds{0} || age >= std::chrono::seconds{1}) {
    ++counters_.no_edge;
    return std::nullopt;
  }
  RefSample sample{last_edge_->local, UtcTime{std::chrono::seconds{label.second}}, label.leap};
  if (last_sample_) {
    // The local clock is good to far better than half a second over the few seconds between
    // samples, so the count of edges in between is exact: the labels must advance by it.
    const double edges_between = to_seconds(sample.local - last_sample_->local);
    const auto labels_between =
        (sample.reference - last_sample_->reference).count() / 1'000'000'000;
    if (std::llround(edges_between) != labels_between || labels_between <= 0) {
      ++counters_.mismatched;
      last_sample_.reset();  // resynchronise on the next pair rather than refuse forever
      last_edge_.reset();
      return std::nullopt;
    }
  }
  last_sample_ = sample;
  last_edge_.reset();  // each edge is labelled once
  ++counters_.labelled;
  return sample;
}

}  // namespace stratumd
