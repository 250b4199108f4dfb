#include "firmware/control/metrics_text.hpp"

#include <cinttypes>
#include <cstdio>
#include <vector>

namespace stratumd {
namespace {

class Writer {
 public:
  void metric(const char* name, const char* type, const char* help) {
    out_ += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  }
  void value(const char* name, double v, const std::string& labels = {}) {
    char text[64];
    std::snprintf(text, sizeof text, "%.12g", v);
    out_ += std::string(name) + (labels.empty() ? "" : "{" + labels + "}") + " " + text + "\n";
  }
  void count(const char* name, std::uint64_t v, const std::string& labels = {}) {
    out_ += std::string(name) + (labels.empty() ? "" : "{" + labels + "}") + " " +
            std::to_string(v) + "\n";
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

// A label value as the exposition format quotes it.
std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

struct SourceSeries {
  std::string labels;
  double reach, offset, delay, jitter, stratum, selected;
};

std::vector<SourceSeries> source_series(const MetricsInput& in) {
  std::vector<SourceSeries> series;
  const ReferenceReport& r = in.sources;
  if (r.has_reference_clock) {
    series.push_back({"source=" + quoted(r.source_address) + ",name=" + quoted(r.host_name) +
                          ",type=\"refclock\"",
                      static_cast<double>(r.reach), to_seconds(in.loop.last_offset), 0.0,
                      to_seconds(in.loop.jitter), 0.0,
                      !r.network_steers && !r.reference_falseticker ? 1.0 : 0.0});
  }
  for (const UpstreamReport& u : r.upstreams) {
    const char* type = u.host_mode == 3 ? "server" : u.host_mode == 6 ? "broadcast" : "peer";
    series.push_back(
        {"source=" + quoted(u.address) + ",name=" + quoted(u.address) + ",type=\"" + type + "\"",
         static_cast<double>(u.reach), u.offset, u.delay, u.jitter, static_cast<double>(u.stratum),
         r.network_steers && u.selection == 6 ? 1.0 : 0.0});
  }
  return series;
}

}  // namespace

std::string render_metrics(const MetricsInput& in) {
  Writer w;
  // Base units throughout (seconds, ratios), as node_exporter's timex series.
  w.metric("stratumd_build_info", "gauge", "The running version; always 1.");
  w.value("stratumd_build_info", 1, "version=\"" + in.version + "\"");
  w.metric("stratumd_offset_seconds", "gauge",
           "Last measured offset of the reference (reference minus clock).");
  w.value("stratumd_offset_seconds", to_seconds(in.loop.last_offset));
  w.metric("stratumd_frequency_adjustment_ratio", "gauge",
           "Frequency correction applied to the clock (1e-6 is 1 ppm).");
  w.value("stratumd_frequency_adjustment_ratio", in.loop.frequency_ppm * 1e-6);
  w.metric("stratumd_jitter_seconds", "gauge", "RMS noise of the reference samples.");
  w.value("stratumd_jitter_seconds", to_seconds(in.loop.jitter));
  w.metric("stratumd_wander_ratio", "gauge", "Frequency stability of the clock (1e-6 is 1 ppm).");
  w.value("stratumd_wander_ratio", in.loop.wander_ppm * 1e-6);
  w.metric("stratumd_root_dispersion_seconds", "gauge",
           "Root dispersion announced to clients now.");
  w.value("stratumd_root_dispersion_seconds", to_seconds(in.snapshot.root_dispersion_at(in.now)));
  w.metric("stratumd_root_delay_seconds", "gauge", "Root delay announced to clients.");
  w.value("stratumd_root_delay_seconds", to_seconds(in.snapshot.root_delay));
  w.metric("stratumd_reference_timestamp_seconds", "gauge",
           "When the clock was last set from its source (Unix time; 0: never).");
  w.value("stratumd_reference_timestamp_seconds",
          to_seconds(in.snapshot.reference_time.time_since_epoch()));
  w.metric("stratumd_stratum", "gauge", "Stratum served (16: unsynchronised).");
  w.value("stratumd_stratum", in.snapshot.synchronised() ? in.snapshot.stratum : 16);
  w.metric("stratumd_state", "gauge", "Discipline state, one series per state, 1 for the current.");
  for (SyncState s :
       {SyncState::unsynchronised, SyncState::locking, SyncState::locked, SyncState::holdover}) {
    w.value("stratumd_state", in.loop.state == s ? 1 : 0,
            std::string("state=\"") + to_string(s) + "\"");
  }
  w.metric("stratumd_leap_pending", "gauge", "A leap second is armed: 1 insertion, -1 deletion.");
  w.value("stratumd_leap_pending", in.loop.pending_leap ? in.loop.pending_leap->direction : 0);
  if (const auto& table = in.loop.leap_table) {
    // Seconds left, not the date: an alert is then a plain threshold (board/prometheus).
    w.metric("stratumd_leapfile_expiry_seconds", "gauge",
             "Seconds until the leapfile expires (negative: expired); absent without one.");
    w.value("stratumd_leapfile_expiry_seconds",
            static_cast<double>(table->expires) - to_seconds(in.now.time_since_epoch()));
  }
  w.metric("stratumd_pps_present", "gauge", "PPS edges are numbering the seconds.");
  w.value("stratumd_pps_present", in.pps_present ? 1 : 0);
  if (in.satellites >= 0) {
    w.metric("stratumd_gps_satellites_used", "gauge", "Satellites in the receiver's solution.");
    w.value("stratumd_gps_satellites_used", in.satellites);
  }
  w.metric("stratumd_reference_samples_total", "counter", "Samples given to the discipline.");
  w.count("stratumd_reference_samples_total", in.reference_samples);
  w.metric("stratumd_nmea_labels_total", "counter", "NMEA sentences that labelled a second.");
  w.count("stratumd_nmea_labels_total", in.nmea_labels);
  w.metric("stratumd_refused_samples_total", "counter", "Samples refused as outliers or spikes.");
  w.count("stratumd_refused_samples_total", in.loop.outliers);
  w.metric("stratumd_clock_steps_total", "counter", "Steps of the clock.");
  w.count("stratumd_clock_steps_total", in.loop.steps);
  w.metric("stratumd_requests_received_total", "counter", "NTP datagrams received.");
  w.count("stratumd_requests_received_total", in.requests_received);
  w.metric("stratumd_requests_total", "counter", "NTP datagrams by what was done with them.");
  for (std::size_t i = 0; i < in.requests_by_outcome.size(); ++i) {
    w.count("stratumd_requests_total", in.requests_by_outcome[i],
            std::string("outcome=\"") + to_string(static_cast<RequestOutcome>(i)) + "\"");
  }
  w.metric("stratumd_interleaved_replies_total", "counter",
           "Replies in interleaved mode (their transmit time is the previous reply's).");
  w.count("stratumd_interleaved_replies_total", in.interleaved_replies);
  w.metric("stratumd_transmit_timestamps_total", "counter",
           "Kernel transmit stamps of replies, read back for interleaved mode.");
  w.count("stratumd_transmit_timestamps_total", in.transmit_stamps);

  const std::vector<SourceSeries> sources = source_series(in);
  const auto per_source = [&](const char* name, const char* help, double SourceSeries::*field) {
    if (sources.empty()) return;
    w.metric(name, "gauge", help);
    for (const SourceSeries& s : sources) w.value(name, s.*field, s.labels);
  };
  per_source("stratumd_source_reach", "Reach register (8 polls, newest lowest; 255 all answered).",
             &SourceSeries::reach);
  per_source("stratumd_source_offset_seconds", "Last offset measured from the source.",
             &SourceSeries::offset);
  per_source("stratumd_source_delay_seconds",
             "Round-trip delay to the source (0: a reference clock).", &SourceSeries::delay);
  per_source("stratumd_source_jitter_seconds", "RMS noise of the source's samples.",
             &SourceSeries::jitter);
  per_source("stratumd_source_stratum", "The source's stratum (0: a reference clock).",
             &SourceSeries::stratum);
  per_source("stratumd_source_selected", "1 for the source that steers the clock.",
             &SourceSeries::selected);
  return w.take();
}

}  // namespace stratumd
