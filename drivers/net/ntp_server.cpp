#include "drivers/net/ntp_server.hpp"

namespace stratumd {

ServerCounters& ServerCounters::operator+=(const ServerCounters& other) {
  received += other.received;
  for (std::size_t i = 0; i < by_outcome.size(); ++i) by_outcome[i] += other.by_outcome[i];
  rate_table_evictions += other.rate_table_evictions;
  return *this;
}

NtpServer::NtpServer(const ServerSetup& setup, const WorkerShared& shared) {
  for (int i = 0; i < setup.threads; ++i) {
    workers_.push_back(std::make_unique<NtpWorker>(shared, setup.endpoints, setup.port));
  }
}

void NtpServer::start() {
  for (auto& worker : workers_) worker->start();
}

void NtpServer::stop() {
  for (auto& worker : workers_) worker->stop();
}

ServerCounters NtpServer::counters() const {
  ServerCounters total;
  for (const auto& worker : workers_) total += worker->counters();
  return total;
}

}  // namespace stratumd
