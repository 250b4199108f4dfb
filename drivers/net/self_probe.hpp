// Asks the daemon's own server for the time over loopback, as a client would: the console's
// `apply` uses it to tell whether a new configuration left the daemon answering.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "drivers/os/event_loop.hpp"
#include "drivers/os/unique_fd.hpp"

namespace stratumd {

class SelfProbe {
 public:
  SelfProbe(EventLoop& loop, std::uint16_t port);
  ~SelfProbe();
  SelfProbe(const SelfProbe&) = delete;
  SelfProbe& operator=(const SelfProbe&) = delete;

  // Sends one client request to 127.0.0.1 (the socket is opened at the first).
  void send();
  // When a reply to one of our requests last arrived.
  std::optional<std::chrono::steady_clock::time_point> last_answer() const { return last_answer_; }

 private:
  bool open();
  void receive();

  EventLoop& loop_;
  std::uint16_t port_;
  UniqueFd fd_;
  std::uint64_t sent_token_ = 0;
  std::optional<std::chrono::steady_clock::time_point> last_answer_;
};

}  // namespace stratumd
