#include "refclock/pps_labeler.hpp"

#include <chrono>
#include <cmath>

namespace stratumd {

// Edges closer than this are not one pulse a second: both edges of the pulse captured, or noise.
constexpr std::chrono::milliseconds kMinEdgeSpacing{900};

void PpsLabeler::on_edge(const PpsEdge& edge) {
  if (newest_ && edge.local - newest_->edge.local < kMinEdgeSpacing) doubled_ = true;
  older_ = newest_;
  newest_ = SeenEdge{edge};
}

std::optional<RefSample> PpsLabeler::on_label(const TimeLabel& label) {
  if (doubled_) {
    doubled_ = false;
    ++counters_.doubled;
    newest_.reset();
    older_.reset();
    last_sample_.reset();
    return std::nullopt;
  }
  if (!label.has_fix) {
    ++counters_.no_fix;
    return std::nullopt;
  }
  // The latest edge the label came after, by less than a second.
  SeenEdge* named = nullptr;
  for (std::optional<SeenEdge>* seen : {&newest_, &older_}) {
    if (!*seen) continue;
    const Nanoseconds age = label.received - (*seen)->edge.local;
    if (age >= Nanoseconds{0}) {
      if (age < std::chrono::seconds{1}) named = &**seen;
      break;
    }
  }
  if (!named || named->labelled) {
    ++counters_.no_edge;
    return std::nullopt;
  }
  RefSample sample{named->edge.local, UtcTime{std::chrono::seconds{label.second}}, label.leap};
  if (last_sample_) {
    // The local clock is good to far better than half a second over the few seconds between
    // samples, so the count of edges in between is exact: the labels must advance by it.
    const double edges_between = to_seconds(sample.local - last_sample_->local);
    const auto labels_between =
        (sample.reference - last_sample_->reference).count() / 1'000'000'000;
    if (std::llround(edges_between) != labels_between || labels_between <= 0) {
      ++counters_.mismatched;
      last_sample_.reset();  // resynchronise on the next pair rather than refuse forever
      named->labelled = true;
      return std::nullopt;
    }
  }
  last_sample_ = sample;
  named->labelled = true;
  ++counters_.labelled;
  return sample;
}

}  // namespace stratumd
