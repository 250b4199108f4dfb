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

}  // namespace stratumd
