#include "drivers/os/logger.hpp"

#include <syslog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <stdexcept>

#include "drivers/os/text_file.hpp"

namespace stratumd {
namespace {

int syslog_priority(LogKind kind) {
  switch (kind) {
    case LogKind::events:
      return LOG_NOTICE;
    case LogKind::status:
    case LogKind::info:
    case LogKind::statistics:
      return LOG_INFO;
  }
  return LOG_INFO;
}

}  // namespace

Logger::Logger(std::string logfile, bool foreground, LogMask mask)
    : logfile_(std::move(logfile)), foreground_(foreground), mask_(mask) {
  if (!logfile_.empty()) {
    reopen();
    if (!file_) {
      throw std::runtime_error("logfile " + logfile_ + ": " + std::strerror(errno));
    }
  } else {
    ::openlog("stratumd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
  }
}

Logger::~Logger() {
  if (file_) std::fclose(file_);
  if (logfile_.empty()) ::closelog();
}

void Logger::reopen() {
  if (logfile_.empty()) return;
  if (file_) std::fclose(file_);
  file_ = open_for_append(logfile_);
}

void Logger::log(LogClass c, LogKind k, const std::string& message) {
  if (foreground_) std::fprintf(stderr, "stratumd: %s\n", message.c_str());
  if (!mask_.allows(c, k)) return;
  if (file_) {
    // ntpd's logfile lines: day month time, then the message.
    char when[32];
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    std::strftime(when, sizeof when, "%d %b %H:%M:%S", &utc);
    std::fprintf(file_, "%s stratumd[%d]: %s\n", when, static_cast<int>(::getpid()),
                 message.c_str());
    std::fflush(file_);
  } else if (logfile_.empty()) {
    ::syslog(syslog_priority(k), "%s", message.c_str());
  }
}

}  // namespace stratumd
