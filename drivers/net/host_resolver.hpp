// Resolves configured host names at run time, never at parse time: getaddrinfo blocks, so it runs
// on its own thread; each name is retried with a growing back-off (2 s to 5 min) until it
// resolves, and results come back to the event loop through an eventfd. A machine without DNS
// starts and serves; a name applies from the moment it resolves.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "drivers/os/event_loop.hpp"
#include "drivers/os/unique_fd.hpp"
#include "firmware/net/ip_address.hpp"

namespace stratumd {

class HostResolver {
 public:
  using Resolved = std::function<void(const std::string& name, const std::vector<IpAddress>&)>;
  using Log = std::function<void(const std::string&)>;

  HostResolver(EventLoop& loop, std::vector<std::string> names, Resolved on_resolved, Log log);
  ~HostResolver();
  HostResolver(const HostResolver&) = delete;
  HostResolver& operator=(const HostResolver&) = delete;

 private:
  void run();
  void deliver();

  EventLoop& loop_;
  Resolved on_resolved_;
  Log log_;
  UniqueFd wakeup_;
  std::mutex mutex_;
  std::condition_variable stop_signal_;
  bool stopping_ = false;
  std::vector<std::string> pending_;  // still to resolve (resolver thread)
  std::vector<std::pair<std::string, std::vector<IpAddress>>> results_;  // for the loop
  std::vector<std::string> failures_;  // first failure per name, for the log
  std::thread thread_;
};

}  // namespace stratumd
