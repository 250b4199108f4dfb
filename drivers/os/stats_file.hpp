// Appends lines to an ntpd-style statistics file generation (statsdir/NAME.YYYYMMDD for type day),
// moving to the next generation when the date changes and keeping statsdir/NAME linked to the
// current one. A failure is reported once and never stops the daemon.
#pragma once

#include <cstdio>
#include <functional>
#include <string>

#include "firmware/discipline/stats_lines.hpp"

namespace stratumd {

class StatsFile {
 public:
  using Log = std::function<void(const std::string&)>;
  StatsFile(std::string directory, std::string base, FilegenType type, bool link, Log log);
  ~StatsFile();
  StatsFile(const StatsFile&) = delete;
  StatsFile& operator=(const StatsFile&) = delete;

  void append(UtcTime t, const std::string& line);

 private:
  std::string directory_;
  std::string base_;
  FilegenType type_;
  bool link_;
  Log log_;
  std::string current_name_;
  std::FILE* file_ = nullptr;
  bool reported_ = false;
};

FilegenType filegen_type_from_name(const std::string& name);

}  // namespace stratumd
