// An association with another NTP host as the daemon's network sources hold it: a state machine
// of firmware/ntp run on the main loop with its socket and timer (association_runner.hpp).
#pragma once

#include <functional>

#include "drivers/os/event_loop.hpp"
#include "firmware/clock/clock.hpp"
#include "firmware/ntp/association_state.hpp"

namespace stratumd {

// What every association needs from the daemon: the state machines' part, and the loop, the
// clock and the selection to rerun, which only the runners use.
struct AssociationContext : AssociationCore {
  EventLoop& loop;
  const Clock& clock;
  std::function<void()> updated;  // a new filtered sample, or a source lost
};

class NetworkAssociation {
 public:
  virtual ~NetworkAssociation() = default;
  virtual const UpstreamStatus& status() const = 0;
  virtual const AssociationLine& config() const = 0;
  // The local clock was stepped by `step`: samples measured against the old clock move with it.
  virtual void clock_stepped(Nanoseconds step) = 0;
};

}  // namespace stratumd
