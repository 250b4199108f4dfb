#include "refclock/nmea_refclock.hpp"

namespace stratumd {

NmeaRefclock::NmeaRefclock(NmeaRefclockConfig config, LabelSink sink)
    : config_(config), sink_(std::move(sink)), assembler_(config.base_date, config.dates_bounded) {}

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
  const std::optional<NmeaTime> t = assembler_.on_sentence(parsed.sentence);
  if (!t || !selected(parsed.sentence.type)) return;
  if (t->leap_second) {
    ++counters_.leap_second_skipped;
    return;
  }
  const std::int64_t second =
      std::chrono::floor<std::chrono::seconds>(t->time).time_since_epoch().count();
  if (last_labelled_second_ && second <= *last_labelled_second_) {
    if (second < *last_labelled_second_) ++counters_.went_backwards;
    return;  // the rest of the cycle names the same second
  }
  last_labelled_second_ = second;
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
