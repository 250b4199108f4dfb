#include "drivers/pps/pps_source.hpp"

namespace stratumd {

void EdgeWatchdog::edge(std::chrono::steady_clock::time_point now) {
  if (silent_) log_(name_ + ": PPS edges are back");
  silent_ = false;
  last_edge_ = now;
}

void EdgeWatchdog::check(std::chrono::steady_clock::time_point now) {
  if (!silent_ && now - last_edge_ > limit_) {
    log_(name_ + ": no PPS edges for " + std::to_string(limit_.count()) + " s");
    silent_ = true;
  }
}

EdgeWatchdog::~EdgeWatchdog() {
  if (loop_) loop_->cancel_timers(this);
}

void EdgeWatchdog::check_every_second(EventLoop& loop) {
  loop_ = &loop;
  loop.call_after(
      std::chrono::seconds{1},
      [this] {
        check(std::chrono::steady_clock::now());
        check_every_second(*loop_);
      },
      this);
}

}  // namespace stratumd
