#include "drivers/net/local_addresses.hpp"

#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "drivers/net/socket_address.hpp"

namespace stratumd {

std::vector<LocalAddress> list_local_addresses() {
  std::vector<LocalAddress> out;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return out;
  for (const ifaddrs* i = list; i; i = i->ifa_next) {
    if (!i->ifa_addr || (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6))
      continue;
    const SocketAddress a = SocketAddress::from_sockaddr(i->ifa_addr);
    out.push_back({i->ifa_name, a.ip, a.scope_id});
  }
  ::freeifaddrs(list);
  return out;
}

bool ipv6_available() {
  // A plain socket() call: a simulator that intercepts socket() refuses the type flags.
  const int fd = ::socket(AF_INET6, SOCK_DGRAM, 0);
  if (fd < 0) return false;
  ::close(fd);
  return true;
}

}  // namespace stratumd
