#include "refclock/nmea_line_assembler.hpp"

#include <algorithm>

namespace stratumd {

namespace {

constexpr Nanoseconds kBurstLineTime = std::chrono::milliseconds{40};
// One chunk that could not have come at the line rate is enough to stamp at the read (a real
// UART read late once returns to line-rate stamps after kBurstScoreOn ordinary chunks).
constexpr int kBurstEvidence = 8;
constexpr int kBurstScoreOn = 8;
constexpr int kBurstScoreMax = 16;

}  // namespace

const char* to_string(StampModel model) {
  return model == StampModel::at_read ? "at-read" : "line-rate";
}

NmeaLineAssembler::NmeaLineAssembler(int baud, Sink sink)
    : byte_time_(Nanoseconds{10'000'000'000LL / (baud > 0 ? baud : 4800)}),
      sink_(std::move(sink)) {}

void NmeaLineAssembler::feed(std::span<const std::uint8_t> chunk, UtcTime read_time) {
  const std::size_t n = chunk.size();
  if (n == 0) return;
  const Nanoseconds line_time = byte_time_ * static_cast<std::int64_t>(n);
  // Two byte times of slack: the read that came before may have returned mid-byte.
  const bool burst = line_time > kBurstLineTime ||
                     (last_read_ && line_time > read_time - *last_read_ + 2 * byte_time_);
  if (burst) ++counters_.burst_chunks;
  burst_score_ = std::clamp(burst_score_ + (burst ? kBurstEvidence : -1), 0, kBurstScoreMax);
  if (burst_score_ >= kBurstScoreOn && model_ != StampModel::at_read) {
    model_ = StampModel::at_read;
    // A sentence whose '$' came in an earlier read is stamped at that read, as later ones are.
    if (in_sentence_) start_ = start_read_;
  }
  if (burst_score_ == 0) model_ = StampModel::line_rate;
  // No byte of this chunk started before the previous read returned (less the start bit of one
  // then arriving).
  const std::optional<UtcTime> earliest =
      last_read_ ? std::optional<UtcTime>(*last_read_ - byte_time_) : std::nullopt;
  last_read_ = read_time;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = static_cast<char>(chunk[i]);
    if (c == '$' || c == '!') {
      if (in_sentence_) ++counters_.overlong;  // a new start before an end: the old one is broken
      in_sentence_ = true;
      length_ = 0;
      // Line rate: the last byte of the chunk finished arriving just before read_time; this one
      // started arriving (its start bit) n - i byte times earlier.
      start_ = model_ == StampModel::at_read
                   ? read_time
                   : read_time - byte_time_ * static_cast<std::int64_t>(n - i);
      if (earliest && start_ < *earliest) start_ = *earliest;
      start_read_ = read_time;
    }
    if (!in_sentence_) {
      if (c != '\r' && c != '\n') ++counters_.junk_bytes;
      continue;
    }
    if (c == '\n' || c == '\r') {
      if (length_ > 0) {
        ++counters_.lines;
        sink_(NmeaLine{std::string_view(buffer_.data(), length_), start_});
      }
      in_sentence_ = false;
      length_ = 0;
      continue;
    }
    if (length_ == kMaxNmeaSentenceLength) {
      ++counters_.overlong;
      in_sentence_ = false;
      length_ = 0;
      continue;
    }
    buffer_[length_++] = c;
  }
}

}  // namespace stratumd
