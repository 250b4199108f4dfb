// Prometheus metrics in the text exposition format (0.0.4): offset, frequency, jitter, wander,
// state, stratum, dispersion, PPS and NMEA health, requests by outcome, and each source's reach,
// offset, delay, jitter, stratum and whether it steers. Pure rendering; the
// HTTP endpoint and the node_exporter textfile are drivers around it.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "firmware/clock/clock_snapshot.hpp"
#include "firmware/control/control_variables.hpp"
#include "firmware/discipline/clock_discipline.hpp"
#include "firmware/ntp/responder.hpp"

namespace stratumd {

struct MetricsInput {
  std::string version;  // stratumd_build_info
  ClockSnapshot snapshot;
  LoopStatus loop;
  UtcTime now{};
  bool pps_present = false;
  std::uint64_t nmea_labels = 0;
  int satellites = -1;  // used in the receiver's solution; -1: not reported
  std::uint64_t reference_samples = 0;
  std::uint64_t requests_received = 0;
  std::array<std::uint64_t, static_cast<std::size_t>(RequestOutcome::count_)> requests_by_outcome{};
  std::uint64_t interleaved_replies = 0;
  std::uint64_t transmit_stamps = 0;
  // Every source, as ntpq -p lists them: the reference clock (when there is one) and the upstream
  // associations, one series each (stratumd_source_*).
  ReferenceReport sources;
};

std::string render_metrics(const MetricsInput& in);

}  // namespace stratumd
