// Poll adaptation for one association, after RFC 5905's jiggle counter: while the source's
// offsets agree with its own recent history (the change within PGATE times its jitter) the
// counter climbs by the poll exponent and, past LIMIT, the interval doubles up to maxpoll; a
// disagreement counts down twice as fast and halves it down to minpoll. Eight unanswered polls in
// a row double the interval each time (ntpd: an unreachable source is not hammered), and the
// first answer after that starts again at minpoll. Pure.
#pragma once

#include <optional>

namespace stratumd {

// RFC 5905's jiggle counter alone: +poll for an update that agrees (|offset| within PGATE times
// the jitter), -2 poll for one that does not; past ±LIMIT the poll exponent steps up or down
// within [minpoll, maxpoll]. Shared by the associations and the RFC 5905 clock loop.
class JiggleCounter {
 public:
  static constexpr double kPollGate = 4.0;  // RFC 5905 PGATE

  JiggleCounter(int minpoll, int maxpoll) : minpoll_(minpoll), maxpoll_(maxpoll), poll_(minpoll) {}
  int poll() const { return poll_; }
  // Returns the poll exponent after this update.
  int update(bool agrees);
  void restart(int poll) {
    poll_ = poll;
    counter_ = 0;
  }
  // New bounds (a reload): the poll is kept where it fits.
  void set_range(int minpoll, int maxpoll);

 private:
  int minpoll_, maxpoll_, poll_;
  int counter_ = 0;
};

class PollAdapter {
 public:
  PollAdapter(int minpoll, int maxpoll);

  int poll() const { return jiggle_.poll(); }
  void on_sample(double offset, double jitter);
  // A poll is due; whether the previous one was answered.
  void on_poll(bool previous_answered);
  // A RATE kiss: at least one step slower than now, allowed past maxpoll up to 2^17 s.
  void slow_down();
  // New minpoll/maxpoll (a reload changed the line); the poll is kept where it fits in them.
  void set_range(int minpoll, int maxpoll);

 private:
  int minpoll_, maxpoll_;
  JiggleCounter jiggle_;
  int unanswered_ = 0;  // polls in a row
  bool unreachable_ = false;
  std::optional<double> last_offset_;
};

}  // namespace stratumd
