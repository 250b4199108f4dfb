#include "drivers/net/self_probe.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstring>
#include <random>

#include "drivers/net/udp_socket.hpp"
#include "firmware/ntp/ntp_packet.hpp"

namespace stratumd {

SelfProbe::SelfProbe(EventLoop& loop, std::uint16_t port) : loop_(loop), port_(port) {}

SelfProbe::~SelfProbe() {
  if (fd_.valid()) loop_.unwatch(fd_.get());
}

// Connected at the first probe only: a daemon whose console never applies a configuration never
// talks to itself (a simulator without loopback, clknetsim, would abort on the connect()).
bool SelfProbe::open() {
  if (fd_.valid()) return true;
  UniqueFd fd = open_udp_socket(AF_INET, "socket (self probe)");
  sockaddr_in server{};
  server.sin_family = AF_INET;
  server.sin_port = htons(port_);
  server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&server), sizeof server) != 0) {
    return false;
  }
  fd_ = std::move(fd);
  loop_.watch_readable(fd_.get(), [this] { receive(); });
  return true;
}

void SelfProbe::send() {
  if (!open()) return;  // no answer will come: the console reports the probe unanswered
  NtpHeader request;
  request.mode = NtpMode::client;
  request.version = 4;
  // The transmit field carries a token the reply must echo: stray packets do not count.
  sent_token_ = std::random_device{}() | (std::uint64_t{std::random_device{}()} << 32);
  request.transmit_time = NtpTimestamp{sent_token_};
  std::array<std::uint8_t, kNtpHeaderSize> bytes{};
  serialize_ntp_header(request, std::span<std::uint8_t, kNtpHeaderSize>(bytes));
  (void)::send(fd_.get(), bytes.data(), bytes.size(), 0);
}

void SelfProbe::receive() {
  std::array<std::uint8_t, kMaxNtpPacketSize> buffer{};
  for (;;) {
    const ssize_t n = ::recv(fd_.get(), buffer.data(), buffer.size(), 0);
    if (n <= 0) return;
    const ParseResult parsed =
        parse_ntp_packet(std::span<const std::uint8_t>(buffer.data(), static_cast<std::size_t>(n)));
    const NtpHeader& h = parsed.packet.header;
    // An unsynchronised server answers with stratum 0 and INIT or STEP: still answering. Any
    // other kiss (DENY, RSTR, RATE) means the configuration shut this host out.
    const bool answering = h.stratum != 0 || h.reference_id == make_refid("INIT") ||
                           h.reference_id == make_refid("STEP");
    if (parsed.status == ParseStatus::ok && h.mode == NtpMode::server &&
        h.origin_time.raw() == sent_token_ && answering) {
      last_answer_ = std::chrono::steady_clock::now();
    }
    if (loop_.backend() == IoBackend::poll) return;  // one datagram per readiness there
  }
}

}  // namespace stratumd
