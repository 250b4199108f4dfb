// The NTP server: N workers over the same listen endpoints (the kernel spreads clients across
// their SO_REUSEPORT sockets), counters summed on demand.
#pragma once

#include <memory>
#include <vector>

#include "drivers/net/ntp_worker.hpp"

namespace stratumd {

struct ServerSetup {
  std::uint16_t port = 123;
  int threads = 1;
  std::vector<ListenEndpoint> endpoints;
};

class NtpServer {
 public:
  NtpServer(const ServerSetup& setup, const WorkerShared& shared);
  ~NtpServer() { stop(); }

  void start();
  void stop();
  ServerCounters counters() const;
  std::size_t worker_count() const { return workers_.size(); }

 private:
  std::vector<std::unique_ptr<NtpWorker>> workers_;
};

}  // namespace stratumd
