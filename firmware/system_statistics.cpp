#include "firmware/system_statistics.hpp"

#include <sys/utsname.h>

#include "drivers/clock/kernel_loop.hpp"

namespace stratumd {

SystemStatistics collect_system_statistics(const ServerCounters& served, Nanoseconds uptime) {
  SystemStatistics s;
  s.uptime = uptime;
  s.control_requests = served.outcome(RequestOutcome::control_answered);
  s.received = served.received;
  s.current_version = served.by_version[4];
  s.older_version = served.by_version[1] + served.by_version[2] + served.by_version[3];
  s.version1 = served.by_version[1];
  s.version1_client = served.version1_by_mode[3];
  s.version1_zero = served.version1_by_mode[0];
  s.version1_symmetric = served.version1_by_mode[1];
  s.bad_format = served.outcome(RequestOutcome::dropped_malformed) +
                 served.outcome(RequestOutcome::dropped_bad_version);
  s.bad_version = served.outcome(RequestOutcome::dropped_bad_version);
  s.bad_auth = served.outcome(RequestOutcome::crypto_nak);
  s.declined = served.outcome(RequestOutcome::dropped_mode);
  s.restricted = served.outcome(RequestOutcome::dropped_restricted);
  s.limited = served.outcome(RequestOutcome::dropped_rate_limited) +
              served.outcome(RequestOutcome::kod_sent);
  s.kod_sent = served.outcome(RequestOutcome::kod_sent);
  s.processed = served.answered();
  s.sent = served.sent;
  s.send_failures = served.send_failures;
  s.ignored = served.dropped();
  s.wakeups = served.wakeups;
  s.useful_wakeups = served.useful_wakeups;
  s.kernel_drops = served.kernel_drops;
  s.receive_buffers = served.receive_buffers;
  s.mac = served.mac;
  s.kernel = read_kernel_loop();
  static const std::string processor = [] {
    utsname name{};
    return ::uname(&name) == 0 ? std::string(name.machine) : std::string("unknown");
  }();
  s.processor = processor;
  return s;
}

}  // namespace stratumd
