// The NTP server thread: UDP sockets on IPv4 and IPv6, kernel receive timestamps converted onto
// the served clock, the pure responder in between, counters by outcome. Plain poll()/recvmsg/
// sendmsg, which also runs under a clock-and-network simulator.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <thread>

#include "drivers/os/unique_fd.hpp"
#include "firmware/clock/clock_snapshot.hpp"
#include "firmware/clock/raw_timebase.hpp"
#include "firmware/ntp/responder.hpp"
#include "firmware/util/seqlock.hpp"

namespace stratumd {

struct UdpServerConfig {
  std::uint16_t port = 123;
  bool ipv6 = true;
};

// Thrown when the port cannot be bound; the message says why and what to do.
class BindError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ServerCounters {
  std::uint64_t received = 0;
  std::array<std::uint64_t, static_cast<std::size_t>(RequestOutcome::count_)> by_outcome{};

  std::uint64_t answered() const { return by_outcome[0]; }
  std::uint64_t dropped() const { return received - answered(); }
};

class UdpServer {
 public:
  UdpServer(UdpServerConfig config, const SeqLock<ClockSnapshot>& snapshot,
            const RawTimebase& timebase, ServerPolicy policy);
  ~UdpServer();
  UdpServer(const UdpServer&) = delete;
  UdpServer& operator=(const UdpServer&) = delete;

  void start();
  void stop();

  ServerCounters counters() const;
  bool has_ipv6() const { return socket6_.valid(); }

 private:
  void run();
  void drain(int fd);

  UdpServerConfig config_;
  const SeqLock<ClockSnapshot>& snapshot_;
  const RawTimebase& timebase_;
  ServerPolicy policy_;
  UniqueFd socket4_;
  UniqueFd socket6_;
  UniqueFd stop_event_;
  std::thread thread_;
  std::atomic<std::uint64_t> received_{0};
  std::array<std::atomic<std::uint64_t>, static_cast<std::size_t>(RequestOutcome::count_)>
      outcomes_{};
};

}  // namespace stratumd
