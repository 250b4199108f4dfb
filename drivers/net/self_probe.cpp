#include "drivers/net/self_probe.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstring>
#include <random>

#include "firmware/ntp/ntp_packet.hpp"

namespace stratumd {

SelfProbe::SelfProbe(EventLoop& loop, std::uint16_t port) : loop_(loop) {
  fd_ = UniqueFd{::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)};
  if (!fd_.valid()) throw_errno("socket (self probe)");
  sockaddr_in server{};
  server.sin_family = AF_INET;
  server.sin_port = htons(port);
  server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_.get(), reinterpret_cast<const sockaddr*>(&server), sizeof server) != 0) {
    throw_errno("connect (self probe)");
  }
  loop_.watch_readable(fd_.get(), [this] { receive(); });
}

SelfProbe::~SelfProbe() {
  loop_.unwatch(fd_.get());
}

void SelfProbe::send() {
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
    if (parsed.status == ParseStatus::ok && parsed.packet.header.mode == NtpMode::server &&
        parsed.packet.header.origin_time.raw() == sent_token_ &&
        parsed.packet.header.stratum != 0) {
      last_answer_ = std::chrono::steady_clock::now();
    }
  }
}

}  // namespace stratumd
