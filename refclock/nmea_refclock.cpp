#include "refclock/nmea_refclock.hpp"

#include <cmath>

#include "firmware/time/utc_text.hpp"

namespace stratumd {

namespace {

constexpr Nanoseconds kSameCycle = std::chrono::milliseconds{500};
// Beyond this gap (or below zero) the served clock was stepped in between, or the receiver was
// away: whole seconds cannot be counted across it, and the next label starts the count afresh.
constexpr Nanoseconds kCountableGap = std::chrono::seconds{30};

std::string utc_text(std::int64_t second) {
  return stratumd::utc_text(UtcTime{std::chrono::seconds{second}});
}

// The second a count expects at `arrival`; nullopt when the gap cannot be counted.
std::optional<std::int64_t> expected_at(std::int64_t second, UtcTime since, UtcTime arrival) {
  const Nanoseconds gap = arrival - since;
  if (gap < Nanoseconds{0} || gap > kCountableGap) return std::nullopt;
  return second + std::llround(to_seconds(gap));
}

}  // namespace

NmeaRefclock::NmeaRefclock(NmeaRefclockConfig config, LabelSink sink, Log log)
    : config_(config),
      sink_(std::move(sink)),
      assembler_(config.base_date, config.dates_bounded, config.accept_estimated_fix),
      log_(std::move(log)) {}

bool NmeaRefclock::believe(std::int64_t second, UtcTime arrival) {
  const std::optional<std::int64_t> expected =
      believed_ ? expected_at(believed_->second, believed_->arrival, arrival) : std::nullopt;
  if (!expected || second == *expected) {
    candidate_.reset();
    return true;
  }
  if (second < *expected) ++counters_.went_backwards;
  const std::optional<std::int64_t> continued =
      candidate_ ? expected_at(candidate_->second, candidate_->arrival, arrival) : std::nullopt;
  if (continued && second == *continued) {
    candidate_ = Count{second, arrival, candidate_->cycles + 1};
  } else {
    candidate_ = Count{second, arrival, 1};
  }
  if (candidate_->cycles < kSecondsToBelieveAJump) {
    ++counters_.unconfirmed;
    return false;
  }
  ++counters_.jumps;
  say("NMEA: the receiver's time moved from " + utc_text(*expected) + " to " + utc_text(second) +
      " (" + std::to_string(second - *expected) + " s) and held for " +
      std::to_string(kSecondsToBelieveAJump) + " seconds: believed");
  candidate_.reset();
  return true;
}

void NmeaRefclock::clock_stepped(Nanoseconds by) {
  if (believed_) believed_->arrival += by;
  if (candidate_) candidate_->arrival += by;
  if (cycle_start_) *cycle_start_ += by;
}

void NmeaRefclock::say_near_base(const NmeaTimeCounters& before) {
  const NmeaTimeCounters& now = assembler_.counters();
  const bool refused = now.near_base_refused != before.near_base_refused;
  const bool as_is = now.near_base_as_is != before.near_base_as_is;
  if (!refused && !as_is) return;
  const int what = refused ? 2 : 1;
  if (said_near_base_ == what) return;
  said_near_base_ = what;
  const std::string base = stratumd::utc_text(UtcTime{assembler_.base_date()}).substr(0, 10);
  say(refused ? "NMEA: the receiver's date lies less than " + std::to_string(kNearBase.count()) +
                    " days before the base date " + base +
                    ": moved 1024 weeks forward it would be 19.6 years ahead, and neither the "
                    "clock nor the last known time corroborates either date; refused (no "
                    "samples) until one does (see tos basedate)"
              : "NMEA: the receiver's date lies less than " + std::to_string(kNearBase.count()) +
                    " days before the base date " + base +
                    " and agrees with the time this appliance knows: taken as it is, not as a "
                    "week rollover");
}

bool NmeaRefclock::selected(NmeaType type) const {
  if (config_.sentence_mask == 0) {
    return type == NmeaType::rmc || type == NmeaType::gga || type == NmeaType::gll ||
           type == NmeaType::zda || type == NmeaType::gns;
  }
  switch (type) {
    case NmeaType::rmc:
      return config_.sentence_mask & 1;
    case NmeaType::gga:
      return config_.sentence_mask & 2;
    case NmeaType::gll:
      return config_.sentence_mask & 4;
    case NmeaType::zda:
      return config_.sentence_mask & 8;
    default:
      return false;
  }
}

void NmeaRefclock::on_line(const NmeaLine& line) {
  const NmeaParseResult parsed = parse_nmea_sentence(line.text);
  ++counters_.by_status[static_cast<std::size_t>(parsed.status)];
  if (parsed.status != NmeaStatus::ok) return;
  if ((parsed.sentence.type == NmeaType::gga || parsed.sentence.type == NmeaType::gns) &&
      parsed.sentence.satellites >= 0) {
    satellites_used_ = parsed.sentence.satellites;
  }
  // Every sentence feeds the assembler (dates, fix state); only selected ones name seconds.
  const NmeaTimeCounters before = assembler_.counters();
  const std::optional<NmeaTime> t = assembler_.on_sentence(parsed.sentence);
  say_near_base(before);
  if (!t || !selected(parsed.sentence.type)) return;
  // A leap second (second 60) is named as the following 00:00:00 (t->time): the count's next
  // second, and no label (below).
  const std::int64_t second =
      std::chrono::floor<std::chrono::seconds>(t->time).time_since_epoch().count();
  const bool same_cycle =
      cycle_start_ && line.start >= *cycle_start_ && line.start - *cycle_start_ < kSameCycle;
  if (same_cycle || (believed_ && second == believed_->second && !t->leap_second)) {
    // The rest of the cycle (also when the served clock was stepped since its first sentence):
    // it must name the same second.
    if (second != cycle_second_) {
      ++counters_.talkers_disagree;
      if (!cycle_disagreed_) {
        say("NMEA: sentences of one cycle name " + utc_text(cycle_second_) + " and " +
            utc_text(second) + ": no label until they agree");
      }
      cycle_disagreed_ = true;
    }
    return;
  }
  // A new cycle: after one whose sentences disagreed, this one must agree through before its
  // label counts.
  const bool held = cycle_disagreed_;
  cycle_start_ = line.start;
  cycle_second_ = second;
  cycle_disagreed_ = false;
  if (!believe(second, line.start)) return;
  if (t->leap_second) {
    // Two seconds elapse between 23:59:59 and 00:00:00: the count takes the leap second as one.
    believed_ = Count{second - 1, line.start};
    ++counters_.leap_second_skipped;
    return;
  }
  believed_ = Count{second, line.start};
  if (held) return;
  if (!t->fix_valid) {
    ++counters_.no_fix;
  } else {
    ++counters_.labels;
  }
  sink_(NmeaLabel{TimeLabel{second, line.start, t->fix_valid, LeapIndicator::none},
                  parsed.sentence.type});
}

Nanoseconds NmeaRefclock::delay_for(NmeaType type) const {
  if (config_.use_learnt_delay) {
    if (const auto learnt = calibrator_.estimate(type)) return learnt->mean;
  }
  return config_.configured_delay;
}

std::optional<RefSample> NmeaRefclock::nmea_only_sample(const NmeaLabel& l) const {
  if (!l.label.has_fix) return std::nullopt;
  return RefSample{l.label.received - delay_for(l.type),
                   UtcTime{std::chrono::seconds{l.label.second}}, l.label.leap};
}

}  // namespace stratumd
