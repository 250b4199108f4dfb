#include "drivers/net/upstream_association.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "drivers/clock/kernel_clocks.hpp"

namespace stratumd {
namespace {

constexpr int kBurstPackets = 8;  // ntpd's iburst
constexpr std::chrono::seconds kBurstSpacing{2};
constexpr double kMaxDistance = 1.5;  // s: RFC 5905's MAXDIST plus ntpd's slack

}  // namespace

double UpstreamStatus::root_distance() const {
  if (!filtered) return 16.0;
  return std::max(1e-6, (root_delay + filtered->chosen.delay) / 2.0) + root_dispersion +
         filtered->dispersion + filtered->jitter;
}

bool UpstreamStatus::usable() const {
  return reach != 0 && filtered && stratum < 16 && !stopped && root_distance() < kMaxDistance;
}

Candidate UpstreamStatus::candidate() const {
  Candidate c;
  c.offset = filtered ? filtered->chosen.offset : 0.0;
  c.root_distance = root_distance();
  c.jitter = filtered ? filtered->jitter : 0.0;
  c.stratum = stratum;
  return c;
}

UpstreamAssociation::UpstreamAssociation(EventLoop& loop, const Clock& clock,
                                         const AssociationLine& config, const IpAddress& address,
                                         std::uint16_t port, std::int8_t precision, Updated updated,
                                         Log log)
    : loop_(loop),
      clock_(clock),
      config_(config),
      precision_(precision),
      updated_(std::move(updated)),
      log_(std::move(log)) {
  status_.address = address.to_string();
  status_.poll_log2 = config.minpoll;
  sockaddr_storage server{};
  socklen_t length = 0;
  if (address.family == IpFamily::v4) {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&server);
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    std::memcpy(&v4->sin_addr, address.bytes.data(), 4);
    length = sizeof(sockaddr_in);
  } else {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&server);
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    std::memcpy(&v6->sin6_addr, address.bytes.data(), 16);
    length = sizeof(sockaddr_in6);
  }
  fd_ = UniqueFd{::socket(server.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)};
  if (!fd_.valid()) throw_errno("socket (upstream)");
  const int on = 1;
  ::setsockopt(fd_.get(), SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
  if (::connect(fd_.get(), reinterpret_cast<const sockaddr*>(&server), length) != 0) {
    throw std::runtime_error("server " + status_.address + ": " + std::strerror(errno));
  }
  loop_.watch_readable(fd_.get(), [this] { receive(); });
}

UpstreamAssociation::~UpstreamAssociation() {
  loop_.cancel_timers(this);
  loop_.unwatch(fd_.get());
}

void UpstreamAssociation::start() {
  burst_left_ = config_.iburst ? kBurstPackets : 0;
  poll();
}

void UpstreamAssociation::schedule(std::chrono::nanoseconds delay) {
  loop_.call_after(
      delay, [this] { poll(); }, this);
}

void UpstreamAssociation::poll() {
  if (status_.stopped) return;
  // The reach register shifts once per request: eight unanswered polls and the source is gone.
  status_.reach = static_cast<std::uint8_t>(status_.reach << 1);
  if (status_.reach == 0 && status_.received > 0 && !said_unreachable_) {
    log_("server " + status_.address + " unreachable");
    said_unreachable_ = true;
    status_.filtered.reset();
    updated_();
  }
  NtpHeader request;
  request.mode = NtpMode::client;
  request.version = static_cast<std::uint8_t>(config_.version);
  request.poll = static_cast<std::int8_t>(status_.poll_log2);
  request.precision = precision_;
  request.transmit_time = NtpTimestamp::from_utc(clock_.now());
  std::array<std::uint8_t, kNtpHeaderSize> bytes{};
  serialize_ntp_header(request, std::span<std::uint8_t, kNtpHeaderSize>(bytes));
  wire_.sent(request.transmit_time);
  if (::send(fd_.get(), bytes.data(), bytes.size(), 0) == static_cast<ssize_t>(bytes.size())) {
    ++status_.sent;
  }
  if (burst_left_ > 0 && --burst_left_ > 0 && status_.reach == 0) {
    schedule(kBurstSpacing);
  } else {
    burst_left_ = 0;
    schedule(std::chrono::seconds{std::int64_t{1} << status_.poll_log2});
  }
}

void UpstreamAssociation::receive() {
  std::array<std::uint8_t, kMaxNtpPacketSize> buffer{};
  std::array<char, CMSG_SPACE(sizeof(timespec))> control{};
  for (;;) {
    iovec iov{buffer.data(), buffer.size()};
    msghdr message{};
    message.msg_iov = &iov;
    message.msg_iovlen = 1;
    message.msg_control = control.data();
    message.msg_controllen = control.size();
    const ssize_t n = ::recvmsg(fd_.get(), &message, 0);
    if (n <= 0) return;
    // T4: the kernel's receive stamp carried onto our clock by its age.
    UtcTime t4 = clock_.now();
    for (cmsghdr* c = CMSG_FIRSTHDR(&message); c; c = CMSG_NXTHDR(&message, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
        timespec ts{};
        std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
        const KernelRealtime stamp{
            Nanoseconds{std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec}};
        t4 -= kernel_realtime_now() - stamp;
      }
    }
    const ParseResult parsed =
        parse_ntp_packet(std::span<const std::uint8_t>(buffer.data(), static_cast<std::size_t>(n)));
    if (parsed.status != ParseStatus::ok) {
      ++status_.refused;
      continue;
    }
    OnWireSample sample;
    const ReplyVerdict verdict = wire_.receive(parsed.packet.header, t4, precision_, sample);
    switch (verdict) {
      case ReplyVerdict::sample:
        break;
      case ReplyVerdict::kiss_rate:
        status_.poll_log2 = std::min(status_.poll_log2 + 1, std::max(config_.maxpoll, 10));
        log_("server " + status_.address + " sent a RATE kiss: polling every " +
             std::to_string(1 << status_.poll_log2) + " s");
        continue;
      case ReplyVerdict::kiss_deny:
      case ReplyVerdict::kiss_restricted:
        status_.stopped = true;
        status_.filtered.reset();
        log_("server " + status_.address + " refuses us (" + to_string(verdict) +
             "): no more requests");
        updated_();
        continue;
      default:
        ++status_.refused;
        continue;
    }
    ++status_.received;
    status_.reach |= 1;
    said_unreachable_ = false;
    status_.stratum = sample.stratum;
    status_.reference_id = sample.reference_id;
    status_.root_delay = sample.root_delay;
    status_.root_dispersion = sample.root_dispersion;
    const double precision = std::ldexp(1.0, precision_);
    if (auto out = filter_.add({sample.offset, sample.delay, sample.dispersion, t4}, precision)) {
      status_.filtered = out;
      updated_();
    }
  }
}

}  // namespace stratumd
