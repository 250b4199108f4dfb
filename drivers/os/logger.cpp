#include "drivers/os/logger.hpp"

#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <cstdlib>

#include <cerrno>
#include <cstring>
#include <ctime>

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

bool Logger::is_journal(int fd) {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (!stream) return false;
  unsigned long long device = 0, inode = 0;
  if (std::sscanf(stream, "%llu:%llu", &device, &inode) != 2) return false;
  struct stat st {};
  return ::fstat(fd, &st) == 0 && st.st_dev == device && st.st_ino == inode;
}

Logger::Logger(std::string logfile, bool foreground, LogMask mask)
    : logfile_(std::move(logfile)),
      foreground_(foreground),
      journal_(foreground && is_journal(STDERR_FILENO)),
      mask_(mask) {
  if (!logfile_.empty()) {
    reopen();
    if (!file_) {
      // A link planted at the path (opened with O_NOFOLLOW), a missing directory: never a reason
      // not to serve. The messages go where they would without a logfile line.
      std::fprintf(
          stderr, "stratumd: warning: logfile %s: %s; it is not written, messages go to %s\n",
          logfile_.c_str(), errno == ELOOP ? "a symbolic link, refused" : std::strerror(errno),
          journal_ ? "the journal" : "syslog");
    }
  }
  if (!file_ && !journal_) ::openlog("stratumd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

Logger::~Logger() {
  if (file_) {
    std::fclose(file_);
  } else if (!journal_) {
    ::closelog();
  }
}

void Logger::reopen() {
  if (logfile_.empty()) return;
  std::FILE* fresh = open_for_append(logfile_);
  if (!fresh) {
    // Keep writing to the file already open (renamed by logrotate, or made by root before -u)
    // rather than losing every later message; say so once per attempt, where it is still read.
    const std::string why = std::strerror(errno);
    if (file_) {
      log(LogClass::sys, LogKind::events,
          "logfile " + logfile_ + ": cannot reopen (" + why + "); still writing to the open file");
    }
    return;
  }
  if (file_) std::fclose(file_);
  file_ = fresh;
}

void Logger::hand_over(uid_t uid, gid_t gid) {
  if (file_ && ::fchown(::fileno(file_), uid, gid) != 0) {
    log(LogClass::sys, LogKind::events,
        "logfile " + logfile_ + ": cannot hand it to the daemon's account (" +
            std::strerror(errno) + "): a reopen after logrotate will fail");
  }
}

void Logger::log(LogClass c, LogKind k, const std::string& message) {
  if (!journal_ && foreground_) std::fprintf(stderr, "stratumd: %s\n", message.c_str());
  if (!mask_.allows(c, k)) return;
  if (journal_ && !file_) {
    // sd-daemon's level prefix: the journal files the line at that priority.
    std::fprintf(stderr, "<%d>%s\n", syslog_priority(k), message.c_str());
    return;
  }
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
  } else if (!journal_) {
    ::syslog(syslog_priority(k), "%s", message.c_str());
  }
}

}  // namespace stratumd
