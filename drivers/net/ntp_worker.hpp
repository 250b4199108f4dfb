// One NTP server thread: its own SO_REUSEPORT socket on every listen endpoint, batches of
// requests with recvmmsg and replies with sendmmsg (or plain recvmsg/sendmsg in poll mode),
// kernel receive and transmit stamps carried onto the served clock, its own rate-limit table and
// counters. Nothing on the packet path allocates, throws or takes a lock.
#pragma once

#include <sys/socket.h>
#include <array>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

#include "drivers/net/association_inbox.hpp"
#include "drivers/os/unique_fd.hpp"
#include "firmware/clock/clock_snapshot.hpp"
#include "firmware/clock/raw_timebase.hpp"
#include "firmware/config/server_plan.hpp"
#include "firmware/control/mode6.hpp"
#include "firmware/ntp/client_monitor.hpp"
#include "firmware/ntp/responder.hpp"
#include "firmware/util/retained_pointer.hpp"
#include "firmware/util/seqlock.hpp"
#include "firmware/util/siphash.hpp"

namespace stratumd {

// Thrown when a port cannot be bound; the message says why and what to do.
class BindError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws BindError when anyone holds the port on this endpoint (another stratumd included).
void check_port_free(const ListenEndpoint& endpoint, std::uint16_t port);

inline constexpr std::size_t kOutcomeCount = static_cast<std::size_t>(RequestOutcome::count_);

struct ServerCounters {
  std::uint64_t received = 0;
  std::array<std::uint64_t, kOutcomeCount> by_outcome{};
  std::uint64_t rate_table_evictions = 0;
  std::uint64_t sent = 0;                     // datagrams sent: replies, kisses, mode 6 fragments
  std::uint64_t send_failures = 0;            // refused by the kernel (full buffer, unreachable)
  std::uint64_t interleaved = 0;              // answered in interleaved mode (included in answered)
  std::uint64_t transmit_stamps = 0;          // replies whose kernel transmit stamp was read back
  std::array<std::uint64_t, 8> by_version{};  // requests by version field (ntpq sysstats)
  std::array<std::uint64_t, 8> version1_by_mode{};  // NTPv1 requests by mode
  MacCounters mac;                                  // MACs checked and made (ntpq authinfo)
  // ntpq iostats: polls that woke with something to do, those that read a request, requests the
  // kernel dropped on a full receive queue, and the requests a batch can hold.
  std::uint64_t wakeups = 0, useful_wakeups = 0, kernel_drops = 0, receive_buffers = 0;

  std::uint64_t outcome(RequestOutcome o) const { return by_outcome[static_cast<std::size_t>(o)]; }
  std::uint64_t answered() const { return outcome(RequestOutcome::answered); }
  // Neither answered nor handed on: ntpq's mode 6 requests that were answered are not drops.
  std::uint64_t dropped() const {
    return received - answered() - outcome(RequestOutcome::kod_sent) -
           outcome(RequestOutcome::association_packet) - outcome(RequestOutcome::control_answered);
  }
  ServerCounters& operator+=(const ServerCounters& other);
};

// Who may ask what, and how often: replaced whole on a configuration reload.
struct ServerPolicy {
  RestrictTable restrictions;
  DiscardParams discard;
  AuthSettings auth;  // keys and trusted key IDs
};

// Everything the workers share; read-only for them while they run.
struct WorkerShared {
  const SeqLock<ClockSnapshot>& snapshot;
  const RawTimebase& timebase;
  const RetainedPointer<ServerPolicy>& policy;
  bool batched = true;  // recvmmsg/sendmmsg; false: recvmsg/sendmsg one at a time
  const SeqLock<ControlVariables>* control = nullptr;  // mode 6 answers; none: mode 6 dropped
  // Where symmetric and broadcast packets go; none: they are dropped as unanswered modes.
  AssociationInbox* associations = nullptr;
  // Every reply's receive and transmit time, for clients in interleaved mode; none: basic only.
  InterleavedTimestamps* interleaved = nullptr;
};

// A fresh key from the kernel's random source (for the MRU list's nonces).
SipKey random_sip_key();

class NtpWorker;

// Every worker's client monitor and the key of the MRU list's nonces: any worker answers
// `ntpq mrulist` with the clients of all of them (the kernel spreads clients across workers).
// And the workers themselves, for ntpq ifstats and reslist: traffic by socket and hits by
// restrict entry, summed by whichever worker is asked.
struct MonitorDirectory {
  std::vector<const ClientMonitor*> tables;
  std::vector<const NtpWorker*> workers;
  SipKey nonce_key{};
};

inline constexpr std::size_t kMaxListenSockets = 64;
inline constexpr std::size_t kMaxCountedRestrictions = 256;  // entries past these are not counted

class NtpWorker {
 public:
  // Opens this worker's sockets; throws BindError with an operator-facing message. Without a
  // directory the MRU list shows this worker's own clients.
  NtpWorker(const WorkerShared& shared, const std::vector<ListenEndpoint>& endpoints,
            std::uint16_t port, const MonitorDirectory* directory = nullptr);
  ~NtpWorker();
  NtpWorker(const NtpWorker&) = delete;
  NtpWorker& operator=(const NtpWorker&) = delete;

  // On its own thread...
  void start();
  void stop();
  // ... or from the caller's event loop (the plain I/O mode: one thread in all): the descriptors
  // to watch, and one datagram served from the socket at `index` each time it is readable.
  std::vector<int> socket_fds() const;
  void serve_ready(std::size_t index) { serve(sockets_[index]); }
  ServerCounters counters() const;
  // Rounds of this worker's thread: it wakes at least four times a second, so a count that stands
  // still means the thread is stuck (the watchdog's keep-alive is then withheld).
  std::uint64_t rounds() const { return rounds_.load(std::memory_order_relaxed); }
  const ClientMonitor& monitor() const { return monitor_; }
  // False when the kernel would not stamp arrivals on some socket (SO_TIMESTAMPNS refused): its
  // requests are stamped when read.
  bool kernel_receive_stamps() const { return kernel_receive_stamps_; }
  // A socket on the server port of this family (the first), for packets that must come from
  // port 123: symmetric peers and broadcasts. -1 when none.
  int socket_for(IpFamily family) const;
  // Requests read, replies sent and sends refused on the socket at `index` (as endpoints order).
  struct SocketTraffic {
    std::uint64_t received = 0, sent = 0, send_failures = 0;
  };
  SocketTraffic socket_traffic(std::size_t index) const;
  // Packets this worker matched to restrict entry `index` since the policy was last replaced.
  std::uint64_t restrict_hits(std::size_t index) const {
    return index < restrict_hits_.size() ? restrict_hits_[index].load(std::memory_order_relaxed)
                                         : 0;
  }

 private:
  struct Batch;
  bool kernel_receive_stamps_ = true;
  struct Socket {
    UniqueFd fd;
    bool drop = false;
    IpFamily family = IpFamily::v4;
    bool transmit_stamps = false;  // the kernel stamps what is sent (SO_TIMESTAMPING)
  };

  void run();
  void serve(const Socket& socket);
  // Reads up to `limit` transmit stamps from the socket's error queue into the interleaved
  // table. Under a simulator an error-queue read with nothing queued takes a request instead, so
  // after a send it reads no more stamps than replies were sent.
  void collect_transmit_stamps(const Socket& socket, unsigned limit);
  void count(RequestOutcome outcome, std::uint64_t n = 1);
  // Into the client monitor (ntpq mrulist).
  void monitor(const RequestContext& context, std::uint8_t first_byte, RequestOutcome outcome);
  // `reply` carries the destination and source address; each fragment is sent with it.
  RequestOutcome answer_control(int fd, std::span<const std::uint8_t> request, msghdr reply,
                                std::uint32_t restrict_flags, const RequestContext& context);
  // One mode 6 fragment to the asker (`reply` carries its address), counted sent or failed.
  void send_control(int fd, msghdr& reply, std::span<const std::uint8_t> fragment);
  // Opcode 11 (ifstats, reslist): only for a request signed with the control key.
  RequestOutcome answer_ordered_list(int fd, std::span<const std::uint8_t> request, msghdr reply);
  // Opcodes 12 (a nonce) and 10 (the MRU list); `restrict_flags` are the asker's.
  RequestOutcome answer_mru(int fd, std::span<const std::uint8_t> request, msghdr reply,
                            std::uint32_t restrict_flags, const RequestContext& context);

  const WorkerShared& shared_;
  std::vector<Socket> sockets_;
  UniqueFd stop_event_;
  RateLimiter limiter_;
  RateLimiter control_limiter_{DiscardParams{}, 1024};  // mode 6 from other hosts
  MacEngine mac_engine_;
  const ServerPolicy* policy_seen_ = nullptr;  // the limiter's parameters follow a reload
  std::unique_ptr<Batch> batch_;
  std::unique_ptr<ControlVariables> control_copy_;  // where a mode 6 request reads the variables
  ClientMonitor monitor_;
  const MonitorDirectory* directory_;
  SipKey own_nonce_key_{};  // without a directory
  // Made at the first MRU request: room for every worker's entries, and the reply text.
  struct MruScratch;
  std::unique_ptr<MruScratch> mru_scratch_;
  MruScratch& control_scratch();
  // Every worker of the server (this one alone without a directory), for ntpq's totals.
  template <typename Visit>
  void for_each_worker(Visit&& visit) const {
    if (!directory_ || directory_->workers.empty()) return visit(*this);
    for (const NtpWorker* w : directory_->workers) visit(*w);
  }
  std::thread thread_;
  std::atomic<std::uint64_t> rounds_{0};
  std::atomic<std::uint64_t> received_{0};
  std::array<std::atomic<std::uint64_t>, kOutcomeCount> outcomes_{};
  std::atomic<std::uint64_t> evictions_{0};
  std::atomic<std::uint64_t> sent_{0};
  std::atomic<std::uint64_t> send_failures_{0};
  std::atomic<std::uint64_t> interleaved_{0};
  std::atomic<std::uint64_t> transmit_stamps_{0};
  std::atomic<std::uint64_t> wakeups_{0}, useful_wakeups_{0};
  std::array<std::atomic<std::uint64_t>, kMaxListenSockets>
      kernel_drops_{};  // as the kernel counts
  std::array<std::atomic<std::uint64_t>, kMaxListenSockets> socket_received_{}, socket_sent_{},
      socket_failed_{};
  std::array<std::atomic<std::uint64_t>, kMaxCountedRestrictions> restrict_hits_{};
  std::vector<ListenEndpoint> endpoints_;
  std::uint16_t port_ = 123;
  std::chrono::steady_clock::time_point opened_ = std::chrono::steady_clock::now();
  std::array<std::atomic<std::uint64_t>, 8> versions_{};
  std::array<std::atomic<std::uint64_t>, 8> version1_modes_{};
};

}  // namespace stratumd
