#include "firmware/stats_recorder.hpp"

#include "firmware/control/control_variables.hpp"

namespace stratumd {

void StatsRecorder::configure(const DaemonConfig& config) {
  files_.clear();
  for (const auto& [name, settings] : config.stats) {
    if (!settings.enabled || !config.discipline.stats_enabled) continue;
    files_[name] =
        std::make_unique<StatsFile>(config.statsdir, settings.file.empty() ? name : settings.file,
                                    filegen_type_from_name(settings.type), settings.link, log_);
  }
}

StatsFile* StatsRecorder::file(const std::string& name) {
  const auto it = files_.find(name);
  return it == files_.end() ? nullptr : it->second.get();
}

void StatsRecorder::on_sample(UtcTime now, const LoopStatus& loop, const ClockSnapshot& snapshot,
                              std::string_view source_address) {
  if (StatsFile* f = file("loopstats")) {
    f->append(now, loopstats_line(now, to_seconds(loop.last_offset), loop.frequency_ppm,
                                  to_seconds(loop.jitter), loop.wander_ppm, loop.poll_log2));
  }
  if (StatsFile* f = file("peerstats")) {
    f->append(now, peerstats_line(
                       now, source_address, peer_status_word(true, snapshot.synchronised() ? 6 : 0),
                       to_seconds(loop.last_offset), 0.0,
                       to_seconds(snapshot.root_dispersion_at(now)), to_seconds(loop.jitter)));
  }
}

void StatsRecorder::on_timecode(UtcTime now, std::string_view source_address,
                                std::string_view timecode) {
  if (StatsFile* f = file("clockstats")) {
    f->append(now, clockstats_line(now, source_address, timecode));
  }
}

}  // namespace stratumd
