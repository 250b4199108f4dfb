// Conversions between the socket API's addresses and the core's IpAddress.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

#include "firmware/net/ip_address.hpp"

namespace stratumd {

struct SocketAddress {
  IpAddress ip;
  std::uint16_t port = 0;
  std::uint32_t scope_id = 0;

  static SocketAddress from_sockaddr(const sockaddr* sa) {
    SocketAddress out;
    if (sa->sa_family == AF_INET) {
      sockaddr_in in{};
      std::memcpy(&in, sa, sizeof in);
      out.ip.family = IpFamily::v4;
      std::memcpy(out.ip.bytes.data(), &in.sin_addr, 4);
      out.port = ntohs(in.sin_port);
    } else {
      sockaddr_in6 in6{};
      std::memcpy(&in6, sa, sizeof in6);
      out.ip.family = IpFamily::v6;
      std::memcpy(out.ip.bytes.data(), &in6.sin6_addr, 16);
      out.port = ntohs(in6.sin6_port);
      out.scope_id = in6.sin6_scope_id;
    }
    return out;
  }

  // Fills `storage`; returns the length to pass to bind/sendto.
  socklen_t to_sockaddr(sockaddr_storage& storage) const {
    storage = {};
    if (ip.family == IpFamily::v4) {
      sockaddr_in in{};
      in.sin_family = AF_INET;
      in.sin_port = htons(port);
      std::memcpy(&in.sin_addr, ip.bytes.data(), 4);
      std::memcpy(&storage, &in, sizeof in);
      return sizeof in;
    }
    sockaddr_in6 in6{};
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(port);
    in6.sin6_scope_id = scope_id;
    std::memcpy(&in6.sin6_addr, ip.bytes.data(), 16);
    std::memcpy(&storage, &in6, sizeof in6);
    return sizeof in6;
  }
};

}  // namespace stratumd
