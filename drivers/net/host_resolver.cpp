#include "drivers/net/host_resolver.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <optional>
#include <set>

#include "drivers/os/privileges.hpp"

namespace stratumd {
namespace {

std::optional<std::vector<IpAddress>> resolve(const std::string& name, std::string& problem) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* found = nullptr;
  const int status = ::getaddrinfo(name.c_str(), nullptr, &hints, &found);
  if (status != 0) {
    problem = ::gai_strerror(status);
    return std::nullopt;
  }
  std::vector<IpAddress> addresses;
  for (const addrinfo* a = found; a; a = a->ai_next) {
    std::optional<IpAddress> address;
    if (a->ai_family == AF_INET) {
      const auto* v4 = reinterpret_cast<const sockaddr_in*>(a->ai_addr);
      address = IpAddress::v4(ntohl(v4->sin_addr.s_addr));
    } else if (a->ai_family == AF_INET6) {
      const auto* v6 = reinterpret_cast<const sockaddr_in6*>(a->ai_addr);
      IpAddress v6_address;
      v6_address.family = IpFamily::v6;
      std::memcpy(v6_address.bytes.data(), &v6->sin6_addr, 16);
      address = v6_address.unmapped();
    }
    if (address && std::find(addresses.begin(), addresses.end(), *address) == addresses.end()) {
      addresses.push_back(*address);
    }
  }
  ::freeaddrinfo(found);
  return addresses;
}

}  // namespace

HostResolver::HostResolver(EventLoop& loop, std::vector<std::string> names, Resolved on_resolved,
                           Log log)
    : loop_(loop),
      on_resolved_(std::move(on_resolved)),
      log_(std::move(log)),
      wakeup_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (!wakeup_.valid()) throw_errno("eventfd (resolver)");
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  pending_ = std::move(names);
  loop_.watch_readable(wakeup_.get(), [this] { deliver(); });
  thread_ = std::thread([this] {
    shed_thread_capabilities();
    run();
  });
}

HostResolver::~HostResolver() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_signal_.notify_all();
  thread_.join();
  loop_.unwatch(wakeup_.get());
}

void HostResolver::run() {
  auto backoff = std::chrono::seconds{2};
  std::set<std::string> said;
  for (;;) {
    std::vector<std::string> names;
    {
      std::lock_guard lock(mutex_);
      if (stopping_ || pending_.empty()) return;
      names = pending_;
    }
    std::vector<std::string> still;
    for (const std::string& name : names) {
      std::string problem;
      if (auto addresses = resolve(name, problem); addresses && !addresses->empty()) {
        std::lock_guard lock(mutex_);
        results_.emplace_back(name, std::move(*addresses));
      } else {
        still.push_back(name);
        if (said.insert(name).second) {
          std::lock_guard lock(mutex_);
          failures_.push_back(name + ": " + (problem.empty() ? "no address" : problem));
        }
      }
    }
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto written = ::write(wakeup_.get(), &one, sizeof one);
    std::unique_lock lock(mutex_);
    pending_ = std::move(still);
    if (pending_.empty()) return;
    if (stop_signal_.wait_for(lock, backoff, [this] { return stopping_; })) return;
    backoff = std::min(backoff * 2, std::chrono::seconds{300});
  }
}

void HostResolver::deliver() {
  std::uint64_t count = 0;
  [[maybe_unused]] const auto got = ::read(wakeup_.get(), &count, sizeof count);
  std::vector<std::pair<std::string, std::vector<IpAddress>>> results;
  std::vector<std::string> failures;
  {
    std::lock_guard lock(mutex_);
    results.swap(results_);
    failures.swap(failures_);
  }
  for (const std::string& f : failures) {
    log_("cannot resolve " + f + "; retrying (the line applies once it resolves)");
  }
  for (const auto& [name, addresses] : results) on_resolved_(name, addresses);
}

}  // namespace stratumd
