#include "drivers/sim/nmea_replay_source.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "refclock/nmea_parser.hpp"

namespace stratumd {

std::vector<std::vector<std::string>> split_nmea_log_into_cycles(const std::string& text) {
  std::vector<std::vector<std::string>> cycles;
  std::istringstream in(text);
  std::string line;
  std::optional<std::string> cycle_time;
  while (std::getline(in, line)) {
    if (line.starts_with('#')) continue;
    const auto dollar = line.find('$');
    if (dollar == std::string::npos) continue;
    line = line.substr(dollar);
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
    const NmeaParseResult parsed = parse_nmea_sentence(line);
    if (parsed.status == NmeaStatus::ok && parsed.sentence.time) {
      char key[16];
      std::snprintf(key, sizeof key, "%02d%02d%02d", parsed.sentence.time->hour,
                    parsed.sentence.time->minute, parsed.sentence.time->second);
      if (!cycle_time || *cycle_time != key) {
        cycles.emplace_back();
        cycle_time = key;
      }
    }
    if (cycles.empty()) cycles.emplace_back();
    cycles.back().push_back(line);
  }
  return cycles;
}

NmeaReplaySource::NmeaReplaySource(EventLoop& loop, const Clock& clock, const std::string& path,
                                   double speed, NmeaLineAssembler::Sink sink, Log log)
    : loop_(loop),
      clock_(clock),
      period_(std::chrono::nanoseconds{static_cast<std::int64_t>(1e9 / (speed > 0 ? speed : 1.0))}),
      sink_(std::move(sink)),
      log_(std::move(log)) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot read the NMEA log");
  std::ostringstream text;
  text << in.rdbuf();
  cycles_ = split_nmea_log_into_cycles(text.str());
  if (cycles_.empty()) throw std::runtime_error(path + ": no NMEA sentences in it");
}

void NmeaReplaySource::next_cycle() {
  if (next_ == cycles_.size()) {
    log_("replay: end of the log after " + std::to_string(cycles_.size()) + " cycles");
    return;
  }
  for (const std::string& sentence : cycles_[next_]) sink_(NmeaLine{sentence, clock_.now()});
  ++next_;
  due_ += period_;
  loop_.call_at(
      due_, [this] { next_cycle(); }, this);
}

NmeaReplaySource::~NmeaReplaySource() {
  loop_.cancel_timers(this);
}

}  // namespace stratumd
