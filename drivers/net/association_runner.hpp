// Runs an association's state machine (firmware/ntp/*_association.hpp) on the main loop: the one
// place where they meet time and the network. It carries out the actions each event returns: a
// packet sent (stamped on our clock just before it leaves), the timer set again, the selection
// rerun.
#pragma once

#include <functional>
#include <span>

#include "drivers/net/network_association.hpp"

namespace stratumd {

template <class Machine>
class AssociationRunner {
 public:
  using Send = std::function<bool(std::span<const std::uint8_t>)>;

  AssociationRunner(const AssociationContext& context, Machine& machine, Send send)
      : context_(context), machine_(machine), send_(std::move(send)) {}
  ~AssociationRunner() {
    context_.loop.cancel_timers(this);
    context_.loop.cancel_timers(&machine_);
  }
  AssociationRunner(const AssociationRunner&) = delete;
  AssociationRunner& operator=(const AssociationRunner&) = delete;

  void start() { execute(machine_.start(context_.clock.now())); }
  // Carries out actions whose timer replaces the one set (a reload changed the poll interval).
  void reschedule(const AssociationActions& actions) {
    if (actions.timer) context_.loop.cancel_timers(this);
    execute(actions);
  }
  void execute(const AssociationActions& actions) {
    if (!actions.send.empty()) {
      machine_.transmitting(context_.clock.now());
      if (send_(actions.send)) machine_.transmitted();
    }
    if (actions.timer) {
      context_.loop.call_after(
          *actions.timer, [this] { execute(machine_.on_timer(context_.clock.now())); }, this);
    }
    if constexpr (requires { machine_.on_interval(); }) {
      if (actions.interval) {
        context_.loop.call_after(
            *actions.interval, [this] { execute(machine_.on_interval()); }, &machine_);
      }
    }
    if (actions.updated) context_.updated();
  }

 private:
  const AssociationContext& context_;
  Machine& machine_;
  Send send_;
};

}  // namespace stratumd
