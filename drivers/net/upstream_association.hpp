// One upstream server association (`server ADDRESS`): polls it over UDP as an NTP client — eight
// quick requests at start with `iburst`, then every 2^poll seconds between minpoll and maxpoll —
// stamps replies with the kernel's receive time carried onto our clock, and runs them through the
// on-wire tests and the clock filter. Keeps ntpd's reach register; backs off on a RATE kiss and
// stops on DENY or RSTR.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "drivers/os/event_loop.hpp"
#include "drivers/os/unique_fd.hpp"
#include "firmware/clock/clock.hpp"
#include "firmware/config/association_config.hpp"
#include "firmware/ntp/clock_filter.hpp"
#include "firmware/ntp/on_wire.hpp"
#include "firmware/ntp/source_selection.hpp"

namespace stratumd {

struct UpstreamStatus {
  std::string address;
  std::uint8_t reach = 0;
  int poll_log2 = 6;
  int stratum = 16;
  std::uint32_t reference_id = 0;
  std::optional<FilterOutput> filtered;  // the last sample the filter chose
  double root_delay = 0.0;
  double root_dispersion = 0.0;
  bool stopped = false;  // a DENY or RSTR kiss: no more polling
  std::uint64_t sent = 0, received = 0, refused = 0;

  // Root distance as RFC 5905 defines it: the source's worth as a candidate.
  double root_distance() const;
  bool usable() const;
  Candidate candidate() const;
};

class UpstreamAssociation {
 public:
  using Updated = std::function<void()>;
  using Log = std::function<void(const std::string&)>;

  // Throws std::runtime_error when the socket cannot be set up.
  UpstreamAssociation(EventLoop& loop, const Clock& clock, const AssociationLine& config,
                      const IpAddress& address, std::uint16_t port, std::int8_t precision,
                      Updated updated, Log log);
  ~UpstreamAssociation();
  UpstreamAssociation(const UpstreamAssociation&) = delete;
  UpstreamAssociation& operator=(const UpstreamAssociation&) = delete;

  void start();
  const UpstreamStatus& status() const { return status_; }
  const AssociationLine& config() const { return config_; }

 private:
  void poll();
  void receive();
  void schedule(std::chrono::nanoseconds delay);

  EventLoop& loop_;
  const Clock& clock_;
  AssociationLine config_;
  std::int8_t precision_;
  Updated updated_;
  Log log_;
  UniqueFd fd_;
  ClientOnWire wire_;
  ClockFilter filter_;
  UpstreamStatus status_;
  int burst_left_ = 0;
  bool said_unreachable_ = false;
};

}  // namespace stratumd
