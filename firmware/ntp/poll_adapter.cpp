#include "firmware/ntp/poll_adapter.hpp"

#include <algorithm>
#include <cmath>

namespace stratumd {
namespace {

constexpr int kJiggleLimit = 30;       // RFC 5905 LIMIT
constexpr int kMaxPollCeiling = 17;    // RFC 5905 MAXPOLL
constexpr double kJitterFloor = 1e-6;  // s: loopback jitter is below what a change can resolve

}  // namespace

int JiggleCounter::update(bool agrees) {
  if (agrees) {
    counter_ += poll_;
    if (counter_ > kJiggleLimit) {
      counter_ = kJiggleLimit;
      if (poll_ < maxpoll_) {
        counter_ = 0;
        ++poll_;
      }
    }
  } else {
    counter_ -= 2 * poll_;
    if (counter_ < -kJiggleLimit) {
      counter_ = -kJiggleLimit;
      if (poll_ > minpoll_) {
        counter_ = 0;
        --poll_;
      }
    }
  }
  return poll_;
}

void JiggleCounter::set_range(int minpoll, int maxpoll) {
  minpoll_ = minpoll;
  maxpoll_ = maxpoll;
  poll_ = std::clamp(poll_, minpoll, maxpoll);
}

PollAdapter::PollAdapter(int minpoll, int maxpoll)
    : minpoll_(minpoll),
      maxpoll_(std::max(minpoll, maxpoll)),
      jiggle_(minpoll, std::max(minpoll, maxpoll)) {}

void PollAdapter::on_sample(double offset, double jitter) {
  if (unreachable_) {
    unreachable_ = false;
    jiggle_.restart(minpoll_);
  }
  const std::optional<double> previous = last_offset_;
  last_offset_ = offset;
  if (!previous) return;
  jiggle_.update(std::fabs(offset - *previous) <
                 JiggleCounter::kPollGate * std::max(jitter, kJitterFloor));
}

void PollAdapter::on_poll(bool previous_answered) {
  unanswered_ = previous_answered ? 0 : unanswered_ + 1;
  if (unanswered_ < 8) return;  // the reach register is empty
  unreachable_ = true;
  last_offset_.reset();
  jiggle_.restart(std::min(jiggle_.poll() + 1, maxpoll_));
}

void PollAdapter::slow_down() {
  jiggle_.restart(std::min(jiggle_.poll() + 1, std::max(maxpoll_, kMaxPollCeiling)));
}

void PollAdapter::set_range(int minpoll, int maxpoll) {
  minpoll_ = minpoll;
  maxpoll_ = std::max(minpoll, maxpoll);
  jiggle_.set_range(minpoll_, maxpoll_);
}

}  // namespace stratumd
