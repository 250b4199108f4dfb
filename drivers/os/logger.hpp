// Where the daemon's messages go: a `logfile` when configured, else syslog (journald on a modern
// board) and, in the foreground, standard error as well; filtered by ntpd's `logconfig` classes.
// Under systemd standard error already is the journal: messages go there once, with their
// priority as a "<N>" prefix, and not to syslog too.
#pragma once

#include <sys/types.h>

#include <cstdio>
#include <string>

#include "firmware/config/log_config.hpp"

namespace stratumd {

class Logger {
 public:
  // Throws std::runtime_error when the logfile cannot be opened.
  Logger(std::string logfile, bool foreground, LogMask mask);
  ~Logger();
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  void log(LogClass c, LogKind k, const std::string& message);
  // The file descriptor is connected to systemd's journal (JOURNAL_STREAM names its device and
  // inode).
  static bool is_journal(int fd);
  void set_mask(LogMask mask) { mask_ = mask; }
  // After logrotate moved the file (SIGHUP). When the path cannot be opened, the open file is
  // kept (and the failure logged to it).
  void reopen();
  // Before the daemon becomes `uid` (-u): the logfile root made is given to that account, so a
  // reopen after logrotate still works.
  void hand_over(uid_t uid, gid_t gid);

 private:
  std::string logfile_;
  bool foreground_;
  bool journal_;  // standard error is the journal: the one destination
  LogMask mask_;
  std::FILE* file_ = nullptr;
};

}  // namespace stratumd
