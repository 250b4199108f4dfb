// The daemon's upstream servers and RFC 5905's system process over them: the associations, the
// selection after each new sample, ntpq's tally codes, the sanity check of the reference clock
// against the network majority, and the decision to let the network steer (and at which stratum).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "drivers/net/upstream_association.hpp"
#include "drivers/os/event_loop.hpp"
#include "firmware/config/ntp_conf_parser.hpp"
#include "firmware/control/control_variables.hpp"

namespace stratumd {

// What clients are told while the network steers.
struct NetworkSource {
  bool active = false;
  int stratum = 16;
  std::uint32_t reference_id = 0;  // the system peer's IPv4 address
  double root_delay = 0.0;
  double root_dispersion = 0.0;
};

class UpstreamServers {
 public:
  struct Hooks {
    // The reference clock steers and is within holdover.
    std::function<bool()> reference_serving;
    // Root distance of our clock while it follows the reference clock.
    std::function<double()> reference_root_distance;
    // Steer the clock by this combined offset (s) from the network.
    std::function<void(double)> steer;
    std::function<void(const std::string&)> log;
  };

  UpstreamServers(EventLoop& loop, const Clock& clock, const DaemonConfig& config,
                  std::int8_t precision, Hooks hooks);

  const NetworkSource& network() const { return network_; }
  bool reference_falseticker() const { return reference_falseticker_; }
  // The reference clock delivered a sample again: it steers.
  void reference_returned();
  std::vector<UpstreamReport> reports() const;

 private:
  void update();

  double sanity_bound_;
  Hooks hooks_;
  std::vector<std::unique_ptr<UpstreamAssociation>> associations_;
  std::vector<int> tally_;  // ntpq's selection code per association
  NetworkSource network_;
  bool reference_falseticker_ = false;
};

}  // namespace stratumd
