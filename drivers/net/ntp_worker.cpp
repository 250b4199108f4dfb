#include "drivers/net/ntp_worker.hpp"

#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "drivers/clock/kernel_clocks.hpp"
#include "drivers/net/socket_address.hpp"
#include "drivers/net/transmit_stamps.hpp"
#include "drivers/net/udp_socket.hpp"
#include "drivers/os/privileges.hpp"
#include "firmware/control/control_auth.hpp"
#include "firmware/control/mru_list.hpp"
#include "firmware/control/ordered_lists.hpp"
#include "firmware/ntp/request_classifier.hpp"
#include "firmware/util/big_endian.hpp"
#include "firmware/util/single_writer_counter.hpp"

namespace stratumd {
namespace {

constexpr unsigned kBatchSize = 32;
constexpr std::size_t kMaxSockets = kMaxListenSockets;
// Mode 6 from other hosts: ntpq -p asks once per association, ntpmon every second or so.

std::string bind_failure_message(int error, const ListenEndpoint& e, std::uint16_t port) {
  const bool wildcard = e.interface_name.empty();
  const std::string where =
      "UDP port " + std::to_string(port) + " (" +
      (wildcard ? std::string(e.address.family == IpFamily::v4 ? "IPv4" : "IPv6")
                : e.address.to_string() + " on " + e.interface_name) +
      ")";
  if (error == EADDRINUSE) {
    return where +
           " is already in use: another NTP daemon (chronyd, ntpd, a second stratumd) is probably "
           "running. "
           "Stop it (e.g. 'systemctl stop chrony ntp ntpsec') or start stratumd with "
           "--port N.";
  }
  if (error == EACCES) {
    return "binding " + where +
           " needs root or CAP_NET_BIND_SERVICE: run as root, or use "
           "--port N with N >= 1024.";
  }
  return "cannot bind " + where + ": " + std::strerror(error);
}

void enable(int fd, int level, int option, const char* what) {
  const int on = 1;
  if (::setsockopt(fd, level, option, &on, sizeof on) != 0) throw_errno(what);
}

// `kernel_stamps` says whether the kernel stamps arrivals (SO_TIMESTAMPNS): qemu-user and some
// odd kernels refuse it, and a request is then stamped when read (batch by batch) instead.
UniqueFd open_socket(const ListenEndpoint& endpoint, std::uint16_t port, bool& kernel_stamps) {
  const bool v4 = endpoint.address.family == IpFamily::v4;
  UniqueFd fd = open_udp_socket(v4 ? AF_INET : AF_INET6, "socket");
  // SO_REUSEPORT (not SO_REUSEADDR): our workers share the port, but a port held by another
  // daemon, or another user, still fails to bind (and check_port_free catches a second stratumd
  // of the same user), so it is reported instead of silently shared.
  enable(fd.get(), SOL_SOCKET, SO_REUSEPORT, "setsockopt(SO_REUSEPORT)");
  const int on = 1;
  kernel_stamps = ::setsockopt(fd.get(), SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) == 0;
  // The kernel's count of requests it dropped on this socket (a full receive queue) rides on each
  // request (ntpq iostats' dropped packets). Only a count: a kernel that refuses it costs nothing.
  [[maybe_unused]] const int drops_reported =
      ::setsockopt(fd.get(), SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof on);
  if (v4) {
    enable(fd.get(), IPPROTO_IP, IP_PKTINFO, "setsockopt(IP_PKTINFO)");
    enable(fd.get(), SOL_SOCKET, SO_BROADCAST, "setsockopt(SO_BROADCAST)");  // `broadcast` lines
  } else {
    enable(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, "setsockopt(IPV6_V6ONLY)");
    enable(fd.get(), IPPROTO_IPV6, IPV6_RECVPKTINFO, "setsockopt(IPV6_RECVPKTINFO)");
  }
  sockaddr_storage address{};
  const socklen_t length =
      SocketAddress{endpoint.address, port, endpoint.scope_id}.to_sockaddr(address);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), length) != 0) {
    throw BindError(bind_failure_message(errno, endpoint, port));
  }
  return fd;
}

// Writes one control message (the reply's source address, a request for its transmit stamp) into
// `buffer` at `offset`; returns the length used.
template <std::size_t N, typename T>
std::size_t write_control(std::array<char, N>& buffer, std::size_t offset, int level, int type,
                          const T& value) {
  if (offset + CMSG_SPACE(sizeof(T)) > N) return 0;
  auto* header = reinterpret_cast<cmsghdr*>(buffer.data() + offset);
  header->cmsg_level = level;
  header->cmsg_type = type;
  header->cmsg_len = CMSG_LEN(sizeof value);
  std::memcpy(CMSG_DATA(header), &value, sizeof value);
  return CMSG_SPACE(sizeof value);
}

KernelRealtime timespec_to_realtime(const timespec& ts) {
  return KernelRealtime{Nanoseconds{std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec}};
}

}  // namespace

// Binds a plain socket (no SO_REUSEPORT) to the endpoint and lets it go: it fails while anyone
// holds the port — including another stratumd, whose SO_REUSEPORT sockets would otherwise let a
// second instance under the same user share it silently and take half the clients.
void check_port_free(const ListenEndpoint& endpoint, std::uint16_t port) {
  const bool v4 = endpoint.address.family == IpFamily::v4;
  UniqueFd probe = open_udp_socket(v4 ? AF_INET : AF_INET6, "socket");
  if (!v4) enable(probe.get(), IPPROTO_IPV6, IPV6_V6ONLY, "setsockopt(IPV6_V6ONLY)");
  sockaddr_storage address{};
  const socklen_t length =
      SocketAddress{endpoint.address, port, endpoint.scope_id}.to_sockaddr(address);
  if (::bind(probe.get(), reinterpret_cast<sockaddr*>(&address), length) != 0) {
    throw BindError(bind_failure_message(errno, endpoint, port));
  }
}

// Buffers for one batch, allocated once per worker.
struct NtpWorker::Batch {
  struct Slot {
    std::array<std::uint8_t, kMaxNtpPacketSize + 1> request{};
    std::array<std::uint8_t, kMaxReplySize> reply{};
    sockaddr_storage peer{};
    alignas(cmsghdr) std::array<char, 256> control{};
    alignas(cmsghdr)
        std::array<char, CMSG_SPACE(sizeof(in6_pktinfo)) + CMSG_SPACE(sizeof(int))> reply_control{};
    iovec request_iov{};
    iovec reply_iov{};
    bool needs_stamp = false;
    const SymmetricKey* sign_with = nullptr;
    // For interleaved mode: the receive timestamp this reply carries, zero when not remembered.
    NtpTimestamp receive_key;
    bool stamped = false;  // the kernel loops this reply back with its transmit stamp
  };
  std::array<Slot, kBatchSize> slots{};
  std::array<mmsghdr, kBatchSize> rx{};
  std::array<mmsghdr, kBatchSize> tx{};
  std::array<Slot*, kBatchSize> tx_slot{};

  void arm_receive(unsigned count) {
    for (unsigned i = 0; i < count; ++i) {
      Slot& s = slots[i];
      s.request_iov = {s.request.data(), s.request.size()};
      msghdr& m = rx[i].msg_hdr;
      m = {};
      m.msg_name = &s.peer;
      m.msg_namelen = sizeof s.peer;
      m.msg_iov = &s.request_iov;
      m.msg_iovlen = 1;
      m.msg_control = s.control.data();
      m.msg_controllen = s.control.size();
    }
  }
};

SipKey random_sip_key() {
  SipKey key{};
  if (::getrandom(key.data(), sizeof key, 0) != static_cast<ssize_t>(sizeof key))
    throw_errno("getrandom");
  return key;
}

struct NtpWorker::MruScratch {
  std::vector<MonitorEntry> entries;
  std::array<char, kMruMaxFragments * kMode6MaxData> text{};
};

NtpWorker::NtpWorker(const WorkerShared& shared, const std::vector<ListenEndpoint>& endpoints,
                     std::uint16_t port, const MonitorDirectory* directory)
    : shared_(shared),
      limiter_(shared.policy.load().discard),
      batch_(std::make_unique<Batch>()),
      control_copy_(std::make_unique<ControlVariables>()),
      directory_(directory),
      endpoints_(endpoints),
      port_(port) {
  if (!directory_) own_nonce_key_ = random_sip_key();
  mac_engine_.prepare(shared.policy.load().auth);
  if (endpoints.size() > kMaxSockets)
    throw std::runtime_error("too many listen addresses (at most 64)");
  for (const ListenEndpoint& e : endpoints) {
    bool kernel_stamps = false;
    UniqueFd fd = open_socket(e, port, kernel_stamps);
    kernel_receive_stamps_ = kernel_receive_stamps_ && kernel_stamps;
    const bool transmit_stamps = shared.interleaved && enable_transmit_stamp_reports(fd.get());
    sockets_.push_back({std::move(fd), e.drop, e.address.family, transmit_stamps});
  }
  stop_event_ = UniqueFd{::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)};
  if (!stop_event_.valid()) throw_errno("eventfd");
}

NtpWorker::~NtpWorker() {
  stop();
}

void NtpWorker::start() {
  thread_ = std::thread([this] {
    shed_thread_capabilities();
    run();
  });
}

void NtpWorker::stop() {
  if (!thread_.joinable()) return;
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto written = ::write(stop_event_.get(), &one, sizeof one);
  thread_.join();
}

ServerCounters NtpWorker::counters() const {
  ServerCounters c;
  c.received = received_.load(std::memory_order_relaxed);
  for (std::size_t i = 0; i < kOutcomeCount; ++i)
    c.by_outcome[i] = outcomes_[i].load(std::memory_order_relaxed);
  c.rate_table_evictions = evictions_.load(std::memory_order_relaxed);
  c.sent = sent_.load(std::memory_order_relaxed);
  c.send_failures = send_failures_.load(std::memory_order_relaxed);
  c.interleaved = interleaved_.load(std::memory_order_relaxed);
  c.transmit_stamps = transmit_stamps_.load(std::memory_order_relaxed);
  for (std::size_t i = 0; i < c.by_version.size(); ++i) {
    c.by_version[i] = versions_[i].load(std::memory_order_relaxed);
    c.version1_by_mode[i] = version1_modes_[i].load(std::memory_order_relaxed);
  }
  c.mac = mac_engine_.counters();
  c.wakeups = wakeups_.load(std::memory_order_relaxed);
  c.useful_wakeups = useful_wakeups_.load(std::memory_order_relaxed);
  for (std::size_t i = 0; i < sockets_.size(); ++i)
    c.kernel_drops += kernel_drops_[i].load(std::memory_order_relaxed);
  c.receive_buffers = shared_.batched ? kBatchSize : 1;
  return c;
}

std::vector<int> NtpWorker::socket_fds() const {
  std::vector<int> fds;
  for (const Socket& s : sockets_) fds.push_back(s.fd.get());
  return fds;
}

int NtpWorker::socket_for(IpFamily family) const {
  for (const Socket& s : sockets_) {
    if (s.family == family && !s.drop) return s.fd.get();
  }
  return -1;
}

void NtpWorker::count(RequestOutcome outcome, std::uint64_t n) {
  add_single_writer(outcomes_[static_cast<std::size_t>(outcome)], n);
}

void NtpWorker::monitor(const RequestContext& context, std::uint8_t first_byte,
                        RequestOutcome outcome) {
  MonitorVerdict verdict = MonitorVerdict::dropped;
  switch (outcome) {
    case RequestOutcome::answered:
    case RequestOutcome::control_answered:
    case RequestOutcome::association_packet:
      verdict = MonitorVerdict::answered;
      break;
    case RequestOutcome::kod_sent:
      verdict = MonitorVerdict::kissed;
      break;
    case RequestOutcome::dropped_rate_limited:
      verdict = MonitorVerdict::limited;
      break;
    default:
      break;
  }
  monitor_.record(context.source.address.unmapped(), context.source.port,
                  NtpTimestamp::from_utc(context.receive_time), first_byte, verdict);
}

void NtpWorker::collect_transmit_stamps(const Socket& socket, unsigned limit) {
  if (!socket.transmit_stamps) return;
  Batch& b = *batch_;
  // The stamps are kernel CLOCK_REALTIME: carried onto the served clock by their age, as the
  // receive stamps are (one reading pair for all of them).
  bool have_readings = false;
  KernelRealtime realtime_now{};
  UtcTime served_now{};
  while (limit > 0) {
    // The request buffers are free once the replies are sent: the looped-back frames go there.
    const unsigned capacity = std::min(limit, shared_.batched ? kBatchSize : 1u);
    b.arm_receive(capacity);
    int received = 0;
    if (shared_.batched) {
      received =
          ::recvmmsg(socket.fd.get(), b.rx.data(), capacity, MSG_ERRQUEUE | MSG_DONTWAIT, nullptr);
    } else {
      const ssize_t n = ::recvmsg(socket.fd.get(), &b.rx[0].msg_hdr, MSG_ERRQUEUE | MSG_DONTWAIT);
      if (n >= 0) b.rx[0].msg_len = static_cast<unsigned>(n);
      received = n >= 0 ? 1 : -1;
    }
    if (received <= 0) return;
    limit -= static_cast<unsigned>(received);
    for (int i = 0; i < received; ++i) {
      const mmsghdr& message = b.rx[static_cast<std::size_t>(i)];
      const LoopedTransmit looped = parse_transmit_stamp(message.msg_hdr, message.msg_len);
      // Server replies only: symmetric and broadcast packets leave from these sockets too.
      const std::span<const std::uint8_t> packet = looped.payload;
      if (!looped.stamped || packet.size() < kNtpHeaderSize || (packet[0] & 0x7) != 4) continue;
      if (!have_readings) {
        realtime_now = kernel_realtime_now();
        served_now = shared_.snapshot.load().model.served_at(shared_.timebase.raw_now());
        have_readings = true;
      }
      const NtpTimestamp receive{load_be64(packet.subspan<32, 8>())};
      const UtcTime sent = served_at(looped.sent, served_now, realtime_now);
      if (shared_.interleaved->refine(receive, NtpTimestamp::from_utc(sent))) {
        add_single_writer(transmit_stamps_);
      }
    }
    if (static_cast<unsigned>(received) < capacity) return;
  }
}

void NtpWorker::send_control(int fd, msghdr& reply, std::span<const std::uint8_t> fragment) {
  iovec iov{const_cast<std::uint8_t*>(fragment.data()), fragment.size()};
  reply.msg_iov = &iov;
  reply.msg_iovlen = 1;
  const bool sent = ::sendmsg(fd, &reply, 0) >= 0;
  add_single_writer(sent ? sent_ : send_failures_);
  for (std::size_t i = 0; i < sockets_.size(); ++i) {
    if (sockets_[i].fd.get() == fd) add_single_writer(sent ? socket_sent_[i] : socket_failed_[i]);
  }
}

// Mode 6 is rare (an operator's ntpq or ntpstat) and may take several datagrams: answered here
// with plain sendmsg, once the classifier allowed it.
RequestOutcome NtpWorker::answer_control(int fd, std::span<const std::uint8_t> request,
                                         msghdr reply, std::uint32_t flags,
                                         const RequestContext& context) {
  const std::uint8_t opcode = request[1] & 0x1F;
  if (opcode == mode6_opcode::read_mru || opcode == mode6_opcode::request_nonce)
    return answer_mru(fd, request, reply, flags, context);
  if (opcode == mode6_opcode::read_ordered_list) return answer_ordered_list(fd, request, reply);
  *control_copy_ = shared_.control->load();
  const Mode6Outcome outcome = mode6_respond(
      request, *control_copy_,
      [&](std::span<const std::uint8_t> fragment) { send_control(fd, reply, fragment); });
  return outcome == Mode6Outcome::malformed ? RequestOutcome::dropped_malformed
                                            : RequestOutcome::control_answered;
}

// Made on the first MRU or ordered-list request (rare: an operator's ntpq), with room for every
// client of every worker, so no later request allocates.
NtpWorker::MruScratch& NtpWorker::control_scratch() {
  if (!mru_scratch_) {
    mru_scratch_ = std::make_unique<MruScratch>();
    std::size_t capacity = monitor_.capacity();
    if (directory_) {
      capacity = 0;
      for (const ClientMonitor* table : directory_->tables) capacity += table->capacity();
    }
    mru_scratch_->entries.reserve(capacity);
  }
  return *mru_scratch_;
}

NtpWorker::SocketTraffic NtpWorker::socket_traffic(std::size_t index) const {
  if (index >= sockets_.size()) return {};
  return {socket_received_[index].load(std::memory_order_relaxed),
          socket_sent_[index].load(std::memory_order_relaxed),
          socket_failed_[index].load(std::memory_order_relaxed)};
}

RequestOutcome NtpWorker::answer_ordered_list(int fd, std::span<const std::uint8_t> request,
                                              msghdr reply) {
  mode6_detail::Request r;
  if (!mode6_detail::parse(request, r)) return RequestOutcome::dropped_malformed;
  const ServerPolicy& policy = shared_.policy.load();
  const ControlAuth auth = check_control_mac(request, policy.auth, mac_engine_);
  // Each fragment signed with the control key when the request was (ntpd signs its answers).
  std::array<std::uint8_t, kMode6HeaderSize + kMode6MaxData + 8 + 4 + 20> signed_fragment{};
  const auto send = [&](std::span<const std::uint8_t> fragment) {
    if (!auth.key) {
      send_control(fd, reply, fragment);
      return;
    }
    std::copy(fragment.begin(), fragment.end(), signed_fragment.begin());
    const std::size_t length =
        sign_control_fragment(signed_fragment, fragment.size(), *auth.key, mac_engine_);
    if (length) send_control(fd, reply, std::span(signed_fragment.data(), length));
  };
  if (!auth.key) {
    mode6_detail::send_error(r, kControlErrorPermission, send);
    return RequestOutcome::control_answered;
  }
  const OrderedList list = ordered_list_named(r.data);
  if (list == OrderedList::unknown) {
    mode6_detail::send_error(r, kControlErrorUnknownVariable, send);
    return RequestOutcome::control_answered;
  }
  std::span<char> text(control_scratch().text);
  std::size_t length = 0;
  if (list == OrderedList::interfaces) {
    std::array<InterfaceReport, kMaxListenSockets> interfaces{};
    const auto up =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - opened_)
            .count();
    for (std::size_t i = 0; i < sockets_.size(); ++i) {
      InterfaceReport& f = interfaces[i];
      f.address = endpoints_[i].address;
      f.port = port_;
      f.name = endpoints_[i].interface_name;
      f.enabled = !sockets_[i].drop;
      f.up_seconds = static_cast<std::uint64_t>(up);
      for_each_worker([&](const NtpWorker& w) {
        const SocketTraffic t = w.socket_traffic(i);
        f.received += t.received;
        f.sent += t.sent;
        f.send_failures += t.send_failures;
      });
    }
    length = write_interface_list(std::span(interfaces).first(sockets_.size()), text);
  } else {
    std::array<std::uint64_t, kMaxCountedRestrictions> hits{};
    for_each_worker([&](const NtpWorker& w) {
      for (std::size_t i = 0; i < hits.size(); ++i) hits[i] += w.restrict_hits(i);
    });
    length = write_restriction_list(policy.restrictions, hits, text);
  }
  *control_copy_ = shared_.control->load();
  mode6_detail::send_text(r, control_copy_->system_status, std::string_view(text.data(), length),
                          send);
  return RequestOutcome::control_answered;
}

RequestOutcome NtpWorker::answer_mru(int fd, std::span<const std::uint8_t> request, msghdr reply,
                                     std::uint32_t restrict_flags, const RequestContext& context) {
  mode6_detail::Request r;
  if (!mode6_detail::parse(request, r)) return RequestOutcome::dropped_malformed;
  const auto send = [&](std::span<const std::uint8_t> fragment) {
    send_control(fd, reply, fragment);
  };
  const SipKey& key = directory_ ? directory_->nonce_key : own_nonce_key_;
  const IpAddress asker = context.source.address.unmapped();
  const auto seconds = static_cast<std::uint32_t>(
      std::chrono::duration_cast<std::chrono::seconds>(context.monotonic_now).count());
  *control_copy_ = shared_.control->load();  // not on the stack: it is several kilobytes
  const std::uint16_t status = control_copy_->system_status;
  std::array<char, 32> nonce{};
  const std::size_t nonce_length = write_mru_nonce(key, asker, seconds, nonce);
  const std::string_view fresh_nonce(nonce.data(), nonce_length);
  if (r.opcode == mode6_opcode::request_nonce) {
    mode6_detail::send_text(r, status, fresh_nonce, send);
    return RequestOutcome::control_answered;
  }
  if (restrict_flags & restrict_flag::nomrulist) {
    mode6_detail::send_error(r, kControlErrorPermission, send);
    return RequestOutcome::dropped_restricted;
  }
  MruRequest mru;
  switch (parse_mru_request(r.data, mru)) {
    case MruParse::ok:
      break;
    case MruParse::no_nonce:
      return RequestOutcome::dropped_malformed;  // as ntpd: no nonce, no answer
    case MruParse::bad_format:
      mode6_detail::send_error(r, kControlErrorBadFormat, send);
      return RequestOutcome::control_answered;
  }
  // A nonce not handed to this address lately: silence, so a spoofed source draws nothing.
  if (!mru_nonce_valid(key, asker, seconds, mru.nonce)) return RequestOutcome::dropped_malformed;

  MruScratch& scratch = control_scratch();
  std::vector<MonitorEntry>& entries = scratch.entries;
  entries.clear();
  const auto collect = [&](const MonitorEntry& e) { entries.push_back(e); };
  if (directory_) {
    for (const ClientMonitor* table : directory_->tables) table->for_each(collect);
  } else {
    monitor_.for_each(collect);
  }
  const std::size_t clients = merge_oldest_first(entries);
  const MruReply text =
      write_mru_reply(mru, std::span(entries).first(clients),
                      NtpTimestamp::from_utc(context.receive_time), fresh_nonce, scratch.text);
  if (text.error) {
    mode6_detail::send_error(r, text.error, send);
  } else {
    mode6_detail::send_text(r, status, std::string_view(scratch.text.data(), text.length), send);
  }
  return RequestOutcome::control_answered;
}

void NtpWorker::run() {
  std::array<pollfd, kMaxSockets + 1> fds{};
  fds[0] = {stop_event_.get(), POLLIN, 0};
  for (std::size_t i = 0; i < sockets_.size(); ++i) fds[i + 1] = {sockets_[i].fd.get(), POLLIN, 0};
  const auto count_fds = static_cast<nfds_t>(sockets_.size() + 1);
  constexpr int kWakeupMs = 250;  // so that rounds() shows a live thread on an idle server
  for (;;) {
    rounds_.fetch_add(1, std::memory_order_relaxed);
    const int ready = ::poll(fds.data(), count_fds, kWakeupMs);
    if (ready < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[0].revents) return;
    if (ready > 0) add_single_writer(wakeups_);
    const std::uint64_t received_before = received_.load(std::memory_order_relaxed);
    for (std::size_t i = 0; i < sockets_.size(); ++i) {
      // POLLERR: transmit stamps waiting on the error queue.
      if (fds[i + 1].revents & (POLLIN | POLLERR)) serve(sockets_[i]);
    }
    if (received_.load(std::memory_order_relaxed) != received_before) {
      add_single_writer(useful_wakeups_);
    }
  }
}

void NtpWorker::serve(const Socket& socket) {
  Batch& b = *batch_;
  const int fd = socket.fd.get();
  const unsigned capacity = shared_.batched ? kBatchSize : 1;
  for (;;) {
    b.arm_receive(capacity);
    int received = 0;
    if (shared_.batched) {
      received = ::recvmmsg(fd, b.rx.data(), capacity, MSG_DONTWAIT, nullptr);
    } else {
      const ssize_t n = ::recvmsg(fd, &b.rx[0].msg_hdr, MSG_DONTWAIT);
      if (n >= 0) {
        b.rx[0].msg_len = static_cast<unsigned>(n);
        received = 1;
      } else {
        received = -1;
      }
    }
    if (received <= 0) {
      // Drained (EAGAIN). A wake-up with no request was for the error queue: stamps of replies
      // that left after their send returned.
      if (received < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        collect_transmit_stamps(socket, ~0u);
      }
      return;
    }
    add_single_writer(received_, static_cast<unsigned>(received));
    const std::size_t socket_index = static_cast<std::size_t>(&socket - sockets_.data());
    add_single_writer(socket_received_[socket_index], static_cast<unsigned>(received));
    if (socket.drop) {
      count(RequestOutcome::dropped_restricted, static_cast<unsigned>(received));
      continue;
    }

    // One snapshot and one pair of clock readings per batch: the kernel stamps are carried onto
    // the served clock by their (microsecond) age relative to this reading.
    const ClockSnapshot snapshot = shared_.snapshot.load();
    const ServerPolicy& policy = shared_.policy.load();
    if (&policy != policy_seen_) {
      limiter_.set_params(policy.discard);  // a reload: new limits, the clients' history kept
      mac_engine_.prepare(policy.auth);     // before this batch's clock readings
      // New entries: the hits counted were another table's.
      if (policy_seen_) {
        for (auto& hits : restrict_hits_) hits.store(0, std::memory_order_relaxed);
      }
      policy_seen_ = &policy;
    }
    const RequestAuth auth{policy.auth, mac_engine_};
    ClassifierState classifier{policy.restrictions,     limiter_,
                               control_limiter_,        shared_.control != nullptr,
                               snapshot.synchronised(), restrict_hits_};
    const KernelRealtime realtime_now = kernel_realtime_now();
    const UtcTime served_now = snapshot.model.served_at(shared_.timebase.raw_now());
    const Nanoseconds monotonic_now{read_clock_ns(CLOCK_MONOTONIC_COARSE)};

    unsigned replies = 0;
    for (int i = 0; i < received; ++i) {
      Batch::Slot& slot = b.slots[static_cast<std::size_t>(i)];
      msghdr& in = b.rx[static_cast<std::size_t>(i)].msg_hdr;
      KernelRealtime kernel_rx = realtime_now;
      std::size_t reply_control_length = 0;
      bool to_group = false;
      for (cmsghdr* c = CMSG_FIRSTHDR(&in); c; c = CMSG_NXTHDR(&in, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
          timespec ts{};
          std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
          kernel_rx = timespec_to_realtime(ts);
        } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
          std::uint32_t drops = 0;  // since the socket opened
          std::memcpy(&drops, CMSG_DATA(c), sizeof drops);
          kernel_drops_[socket_index].store(drops, std::memory_order_relaxed);
        } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
          // Answer from the address the request was sent to (multi-homed hosts).
          in_pktinfo info{};
          std::memcpy(&info, CMSG_DATA(c), sizeof info);
          info.ipi_ifindex = 0;
          // A manycast request (to a group): answered from our own address, chosen by the route.
          to_group = (ntohl(info.ipi_addr.s_addr) >> 28) == 0xE;
          info.ipi_spec_dst = to_group ? in_addr{INADDR_ANY} : info.ipi_addr;
          reply_control_length = write_control(slot.reply_control, 0, IPPROTO_IP, IP_PKTINFO, info);
        } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
          in6_pktinfo info{};
          std::memcpy(&info, CMSG_DATA(c), sizeof info);
          to_group = info.ipi6_addr.s6_addr[0] == 0xFF;
          if (to_group) info.ipi6_addr = in6addr_any;
          reply_control_length =
              write_control(slot.reply_control, 0, IPPROTO_IPV6, IPV6_PKTINFO, info);
        }
      }
      const SocketAddress peer =
          SocketAddress::from_sockaddr(reinterpret_cast<const sockaddr*>(&slot.peer));
      UtcTime receive_time = served_at(kernel_rx, served_now, realtime_now);
      // A receive timestamp names its reply for interleaved mode: never two alike.
      while (shared_.interleaved &&
             shared_.interleaved->transmit_for(NtpTimestamp::from_utc(receive_time))) {
        receive_time += Nanoseconds{1};
      }
      const RequestContext context{{peer.ip, peer.port}, receive_time, monotonic_now};
      const std::size_t length = b.rx[static_cast<std::size_t>(i)].msg_len;
      if (length > 0) {
        const unsigned version = (slot.request[0] >> 3) & 7u;
        add_single_writer(versions_[version]);
        if (version == 1) add_single_writer(version1_modes_[slot.request[0] & 7u]);
      }
      const std::span<const std::uint8_t> request(slot.request.data(), length);
      const ClassifiedRequest classified = classify_request(request, context, to_group, classifier);
      if (classified.kind == RequestClass::dropped) {
        count(classified.outcome);
        if (length > 0) monitor(context, slot.request[0], classified.outcome);
        continue;
      }
      if (classified.kind == RequestClass::control) {
        msghdr reply{};
        reply.msg_name = &slot.peer;
        reply.msg_namelen = in.msg_namelen;
        if (reply_control_length) {
          reply.msg_control = slot.reply_control.data();
          reply.msg_controllen = reply_control_length;
        }
        const RequestOutcome outcome =
            answer_control(fd, request, reply, classified.restrict_flags, context);
        count(outcome);
        monitor(context, slot.request[0], outcome);
        continue;
      }
      const Response response =
          handle_request(request, context, snapshot, classified.restrict_flags, limiter_,
                         slot.reply, &auth, shared_.interleaved);
      if (response.outcome == RequestOutcome::association_packet) {
        const bool kept =
            shared_.associations && shared_.associations->push(request, peer, context.receive_time,
                                                               classified.restrict_flags);
        count(kept ? response.outcome : RequestOutcome::dropped_mode);
        monitor(context, slot.request[0], kept ? response.outcome : RequestOutcome::dropped_mode);
        continue;
      }
      count(response.outcome);
      if (length > 0) monitor(context, slot.request[0], response.outcome);
      if (response.interleaved) add_single_writer(interleaved_);
      if (!response.send()) continue;

      slot.reply_iov = {slot.reply.data(), response.length};
      slot.needs_stamp = response.needs_transmit_stamp;
      slot.sign_with = response.sign_with;
      slot.receive_key = shared_.interleaved && response.outcome == RequestOutcome::answered
                             ? NtpTimestamp::from_utc(context.receive_time)
                             : NtpTimestamp{};
      // The kernel stamps only replies to clients in interleaved mode, the only ones that will
      // ever be told when their reply left: a stamp costs the kernel a copy of the packet. (A
      // client's first interleaved reply carries the estimate; from its second on, kernel stamps.)
      slot.stamped = !slot.receive_key.is_zero() && response.interleaved && socket.transmit_stamps;
      if (slot.stamped) {
        const std::size_t added =
            write_control(slot.reply_control, reply_control_length, SOL_SOCKET, SCM_TIMESTAMPING,
                          kTransmitStampRequest);
        slot.stamped = added > 0;
        reply_control_length += added;
      }
      msghdr& out = b.tx[replies].msg_hdr;
      out = {};
      out.msg_name = &slot.peer;
      out.msg_namelen = in.msg_namelen;
      out.msg_iov = &slot.reply_iov;
      out.msg_iovlen = 1;
      if (reply_control_length) {
        out.msg_control = slot.reply_control.data();
        out.msg_controllen = reply_control_length;
      }
      b.tx_slot[replies++] = &slot;
    }
    evictions_.store(limiter_.counters().evictions, std::memory_order_relaxed);

    // T3 last: one clock read per reply in a tight loop right before the send. An interleaved
    // reply carries an earlier T3; its own is remembered for the client's next request (and
    // replaced by the kernel's stamp once that is read back).
    for (unsigned r = 0; r < replies; ++r) {
      Batch::Slot& slot = *b.tx_slot[r];
      if (!slot.needs_stamp && slot.receive_key.is_zero()) continue;
      const UtcTime now = snapshot.model.served_at(shared_.timebase.raw_now());
      if (slot.needs_stamp) stamp_transmit(slot.reply, now);
      // The MAC covers T3: computed right after it (a microsecond or two for SHA-1).
      if (slot.sign_with) {
        sign_reply(Response{RequestOutcome::answered, 0, true, slot.sign_with}, slot.reply,
                   mac_engine_);
      }
      if (!slot.receive_key.is_zero()) {
        shared_.interleaved->remember(slot.receive_key, NtpTimestamp::from_utc(now));
      }
    }
    unsigned sent = 0;
    unsigned stamped = 0;  // replies sent that the kernel will loop back with a stamp
    unsigned refused = 0;  // among `sent`: handed to the kernel, which refused them
    unsigned lost = 0;     // never handed over: the send buffer was full
    if (shared_.batched) {
      while (sent < replies) {
        const int n = ::sendmmsg(fd, b.tx.data() + sent, replies - sent, 0);
        if (n > 0) {
          sent += static_cast<unsigned>(n);
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
          lost = replies - sent;  // a full send buffer loses the rest, as UDP may
          break;
        } else {
          ++sent;  // this destination failed; the others still get their replies
          ++refused;
        }
      }
    } else if (replies) {
      (::sendmsg(fd, &b.tx[0].msg_hdr, 0) >= 0 ? sent : lost) = 1;
    }
    if (sent > refused) {
      add_single_writer(sent_, sent - refused);
      add_single_writer(socket_sent_[socket_index], sent - refused);
    }
    if (refused + lost) {
      add_single_writer(send_failures_, refused + lost);
      add_single_writer(socket_failed_[socket_index], refused + lost);
    }
    for (unsigned r = 0; r < sent; ++r) stamped += b.tx_slot[r]->stamped ? 1 : 0;
    collect_transmit_stamps(socket, stamped);
    // Plain mode reads one datagram per readiness: under a simulator a second read may take the
    // datagram meant for another socket.
    if (!shared_.batched || static_cast<unsigned>(received) < capacity) return;
  }
}

}  // namespace stratumd
