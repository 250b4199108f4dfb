#include "drivers/os/stats_file.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "drivers/os/text_file.hpp"

namespace stratumd {

FilegenType filegen_type_from_name(const std::string& name) {
  if (name == "none") return FilegenType::none;
  if (name == "week") return FilegenType::week;
  if (name == "month") return FilegenType::month;
  if (name == "year") return FilegenType::year;
  return FilegenType::day;
}

StatsFile::StatsFile(std::string directory, std::string base, FilegenType type, bool link, Log log)
    : directory_(std::move(directory)),
      base_(std::move(base)),
      type_(type),
      link_(link),
      log_(std::move(log)) {}

StatsFile::~StatsFile() {
  if (file_) std::fclose(file_);
}

void StatsFile::append(UtcTime t, const std::string& line) {
  const std::string name = filegen_file_name(base_, type_, t);
  if (name != current_name_ || !file_) {
    if (file_) std::fclose(file_);
    current_name_ = name;
    file_ = open_for_append(directory_ + name);
    if (!file_) {
      if (!reported_)
        log_("cannot write statistics to " + directory_ + name + ": " + std::strerror(errno));
      reported_ = true;
      return;
    }
    reported_ = false;
    if (link_ && type_ != FilegenType::none) {
      // ntpd's `link`: NAME always points at the generation being written.
      const std::string link_path = directory_ + base_;
      ::unlink(link_path.c_str());
      [[maybe_unused]] const int linked = ::symlink(name.c_str(), link_path.c_str());
    }
  }
  std::fputs(line.c_str(), file_);
  std::fflush(file_);  // a line a sample: cheap, and nothing is lost if the daemon dies
}

}  // namespace stratumd
