// Replays a captured NMEA log (gpsd's .log format: '#' comments, binary noise allowed) through
// the same NMEA reference clock as a live receiver, one cycle (the sentences of one second) at a
// time, at the original one-second rate or faster. For tests and for operators reproducing what a
// receiver did. Each sentence is stamped with the served clock when it is fed.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "drivers/os/event_loop.hpp"
#include "firmware/clock/clock.hpp"
#include "refclock/nmea_line_assembler.hpp"

namespace stratumd {

class NmeaReplaySource {
 public:
  using Log = std::function<void(const std::string&)>;
  // Throws std::runtime_error when the file cannot be read.
  NmeaReplaySource(EventLoop& loop, const Clock& clock, const std::string& path, double speed,
                   NmeaLineAssembler::Sink sink, Log log);
  ~NmeaReplaySource();
  NmeaReplaySource(const NmeaReplaySource&) = delete;
  NmeaReplaySource& operator=(const NmeaReplaySource&) = delete;

  void start() {
    due_ = EventLoop::TimePoint::clock::now();
    next_cycle();
  }
  std::size_t cycles() const { return cycles_.size(); }

 private:
  void next_cycle();

  EventLoop& loop_;
  const Clock& clock_;
  std::chrono::nanoseconds period_;
  NmeaLineAssembler::Sink sink_;
  Log log_;
  std::vector<std::vector<std::string>> cycles_;
  std::size_t next_ = 0;
  // When the cycle being fed was due: each next one is due a period after it, however late the
  // loop ran it, so the replay keeps its rate instead of drifting by each wake-up's lateness.
  EventLoop::TimePoint due_{};
};

// Splits a log into cycles: a new cycle starts at a sentence whose time of day differs from the
// current cycle's. Pure, for tests.
std::vector<std::vector<std::string>> split_nmea_log_into_cycles(const std::string& text);

}  // namespace stratumd
