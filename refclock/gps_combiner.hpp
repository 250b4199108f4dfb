// Combines a receiver's PPS edges with its time labels: while edges come, each label numbers the
// edge before it (PpsLabeler) and the sentence's lateness after that edge is learnt; when edges
// stop, labels become NMEA-only samples corrected by that learnt (or configured) delay. Pure: time
// is the served clock's, as stamped on edges and labels.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "firmware/util/reference_id.hpp"
#include "refclock/nmea_refclock.hpp"
#include "refclock/pps_labeler.hpp"

namespace stratumd {

enum class SampleKind { pps, nmea_only };

struct ReferenceSample {
  RefSample sample;
  SampleKind kind = SampleKind::pps;
  std::uint32_t reference_id = 0;
};

struct CombinerConfig {
  Nanoseconds pps_offset{0};  // fudge time1: the edge comes this much after the true second
  std::uint32_t pps_refid = make_refid("PPS");
  std::uint32_t nmea_refid = make_refid("GPS");
  Nanoseconds pps_lost_after = std::chrono::seconds{3};
};

class GpsCombiner {
 public:
  using Sink = std::function<void(const ReferenceSample&)>;
  // `nmea` may be null (a simulated or other label source): no calibration, no NMEA-only samples.
  GpsCombiner(CombinerConfig config, NmeaRefclock* nmea, Sink sink)
      : config_(config), nmea_(nmea), sink_(std::move(sink)) {}

  void on_edge(const PpsEdge& edge);
  void on_label(const NmeaLabel& label);
  // The served clock was stepped by `by`: waiting edges are dropped (stamped on the old clock),
  // and the PPS stays present across the step.
  void clock_stepped(Nanoseconds by);

  bool pps_present(UtcTime now) const {
    return last_edge_ && now - last_edge_->local < config_.pps_lost_after;
  }
  const PpsLabelerCounters& labeler_counters() const { return labeler_.counters(); }

 private:
  CombinerConfig config_;
  NmeaRefclock* nmea_;
  Sink sink_;
  PpsLabeler labeler_;
  std::optional<PpsEdge> last_edge_;
};

}  // namespace stratumd
