#include "refclock/nmea_line_assembler.hpp"

namespace stratumd {

NmeaLineAssembler::NmeaLineAssembler(int baud, Sink sink)
    : byte_time_(Nanoseconds{10'000'000'000LL / (baud > 0 ? baud : 4800)}),
      sink_(std::move(sink)) {}

void NmeaLineAssembler::feed(std::span<const std::uint8_t> chunk, UtcTime read_time) {
  const std::size_t n = chunk.size();
  for (std::size_t i = 0; i < n; ++i) {
    const char c = static_cast<char>(chunk[i]);
    if (c == '$' || c == '!') {
      if (in_sentence_) ++counters_.overlong;  // a new start before an end: the old one is broken
      in_sentence_ = true;
      length_ = 0;
      // The last byte of the chunk finished arriving just before read_time; this one started
      // arriving (its start bit) n - i byte times earlier.
      start_ = read_time - byte_time_ * static_cast<std::int64_t>(n - i);
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
