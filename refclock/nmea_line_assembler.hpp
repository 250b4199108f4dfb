// Splits the byte stream from a serial port into NMEA sentences and stamps each with the time its
// '$' arrived. A read returns a chunk some time after its first byte came in; at a known baud
// rate a byte takes 10 bit times, so the start of a sentence in the middle of a chunk is dated
// back from the read's timestamp by the bytes that followed it ("line-rate" stamps).
//
// Not every port delivers at the line rate: USB-CDC receivers (most USB GPS mice) and ptys hand
// over a whole second's sentences at once, and back-dating then depends on how the burst was cut
// into reads (up to ~140 ms at 9600 baud, varying read to read). Chunks that could not have come
// at the line rate (more bytes than the time since the last read allows, or more than 40 ms of
// line time in one read) are burst delivery: from the first such chunk on the assembler stamps
// each sentence at the read that brought its '$' ("at-read" stamps): a constant lateness, which
// the learnt NMEA delay or `time2` absorbs. Either way a sentence is never dated before the
// previous read returned.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string_view>

#include "firmware/time/time_types.hpp"
#include "refclock/nmea_parser.hpp"

namespace stratumd {

struct NmeaLine {
  std::string_view text;  // without CR/LF; valid during the callback only
  UtcTime start;          // served clock when the '$' started to arrive (its start bit)
};

enum class StampModel : std::uint8_t { line_rate, at_read };
const char* to_string(StampModel model);

struct LineAssemblerCounters {
  std::uint64_t lines = 0;
  std::uint64_t burst_chunks = 0;  // chunks that could not have come at the line rate
  std::uint64_t overlong = 0;      // no end of line within the maximum length: discarded
  std::uint64_t junk_bytes = 0;    // bytes outside any sentence (binary protocols, noise)
};

class NmeaLineAssembler {
 public:
  using Sink = std::function<void(const NmeaLine&)>;
  NmeaLineAssembler(int baud, Sink sink);

  // `read_time`: served clock right after the read returned the chunk.
  void feed(std::span<const std::uint8_t> chunk, UtcTime read_time);
  // Forget a partial sentence (the device went away).
  void reset() {
    length_ = 0;
    in_sentence_ = false;
    last_read_.reset();
  }

  const LineAssemblerCounters& counters() const { return counters_; }
  Nanoseconds byte_time() const { return byte_time_; }
  StampModel stamp_model() const { return model_; }

 private:
  Nanoseconds byte_time_;
  Sink sink_;
  std::array<char, kMaxNmeaSentenceLength + 1> buffer_{};
  std::size_t length_ = 0;
  bool in_sentence_ = false;
  UtcTime start_{};
  UtcTime start_read_{};  // the read that brought the current sentence's '$'
  std::optional<UtcTime> last_read_;
  // Evidence of burst delivery: +4 for a burst chunk, -1 for one at the line rate, within
  // [0, kBurstScoreMax]; at-read stamps from kBurstScoreOn, line-rate again at 0.
  int burst_score_ = 0;
  StampModel model_ = StampModel::line_rate;
  LineAssemblerCounters counters_;
};

}  // namespace stratumd
