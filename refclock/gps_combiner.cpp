#include "refclock/gps_combiner.hpp"

namespace stratumd {

void GpsCombiner::on_edge(const PpsEdge& edge) {
  last_edge_ = edge;
  labeler_.on_edge(edge);
}

void GpsCombiner::clock_stepped(Nanoseconds by) {
  labeler_.forget_edges();
  if (last_edge_) last_edge_->local += by;
}

void GpsCombiner::on_label(const NmeaLabel& l) {
  if (pps_present(l.label.received)) {
    if (auto sample = labeler_.on_label(l.label)) {
      // While PPS numbers the seconds, learn how late each sentence type comes after its edge.
      if (nmea_) nmea_->calibrator().observe(l.type, l.label.received - sample->local);
      sample->reference += config_.pps_offset;
      sink_(ReferenceSample{*sample, SampleKind::pps, config_.pps_refid});
    }
    return;
  }
  if (!nmea_) return;
  if (auto sample = nmea_->nmea_only_sample(l)) {
    sink_(ReferenceSample{*sample, SampleKind::nmea_only, config_.nmea_refid});
  }
}

}  // namespace stratumd
