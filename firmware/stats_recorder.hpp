// ntpd's statistics files for the running daemon: which of loopstats, peerstats and clockstats
// the configuration enables, and what goes into each per sample or per timecode.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "drivers/os/stats_file.hpp"
#include "firmware/clock/clock_snapshot.hpp"
#include "firmware/config/ntp_conf_parser.hpp"
#include "firmware/discipline/clock_discipline.hpp"

namespace stratumd {

class StatsRecorder {
 public:
  using Log = StatsFile::Log;
  explicit StatsRecorder(Log log) : log_(std::move(log)) {}

  // (Re)opens the files a configuration enables (`statistics`, `filegen`, `enable stats`).
  void configure(const DaemonConfig& config);

  // loopstats and peerstats lines for one discipline sample.
  void on_sample(UtcTime now, const LoopStatus& loop, const ClockSnapshot& snapshot,
                 std::string_view source_address);
  // A clockstats line for one timecode.
  void on_timecode(UtcTime now, std::string_view source_address, std::string_view timecode);

 private:
  StatsFile* file(const std::string& name);

  Log log_;
  std::map<std::string, std::unique_ptr<StatsFile>> files_;
};

}  // namespace stratumd
