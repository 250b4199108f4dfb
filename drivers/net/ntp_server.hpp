// The NTP server: N workers over the same listen endpoints (the kernel spreads clients across
// their SO_REUSEPORT sockets), counters summed on demand.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "drivers/net/ntp_worker.hpp"
#include "drivers/os/event_loop.hpp"
#include "firmware/control/control_variables.hpp"

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

  // Starts the workers' threads...
  void start();
  // ... or serves from `loop` on the caller's thread (the plain I/O mode, one worker).
  void serve_in(EventLoop& loop);
  void stop();
  ServerCounters counters() const;
  // The client monitors of all workers together (ntpq monstats); `now` on the served clock.
  MonitorStatistics monitor_statistics(NtpTimestamp now) const;
  std::size_t worker_count() const { return workers_.size(); }
  // Whether every worker thread went round since the last call (true in the plain I/O mode,
  // where the caller's loop serves): the watchdog's keep-alive says the server serves.
  bool workers_progressed();
  // Whether every socket has kernel receive stamps (SO_TIMESTAMPNS); see NtpWorker.
  bool kernel_receive_stamps() const;
  // Sends a datagram from the server port (symmetric peers and broadcasts come from port 123).
  bool send_from_server_port(const SocketAddress& to, std::span<const std::uint8_t> bytes) const;
  // Joins a multicast group on every interface's default, so `multicastclient` packets arrive;
  // an error message or empty.
  [[nodiscard]] std::string join_multicast(const IpAddress& group) const;
  // IP_MULTICAST_TTL / IPV6_MULTICAST_HOPS for multicast `broadcast` lines.
  void set_multicast_ttl(int ttl) const;

 private:
  // Before the workers: they keep a pointer to it.
  MonitorDirectory monitors_;
  std::vector<std::uint64_t> rounds_seen_;
  std::vector<std::unique_ptr<NtpWorker>> workers_;
  EventLoop* serving_loop_ = nullptr;
};

}  // namespace stratumd
