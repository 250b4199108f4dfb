// Splits the byte stream from a serial port into NMEA sentences and stamps each with the time its
// '$' arrived. A read returns a chunk some time after its first byte came in; at a known baud
// rate a byte takes 10 bit times, so the start of a sentence in the middle of a chunk is dated
// back from the read's timestamp by the bytes that followed it.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <string_view>

#include "firmware/time/time_types.hpp"
#include "refclock/nmea_parser.hpp"

namespace stratumd {

struct NmeaLine {
  std::string_view text;  // without CR/LF; valid during the callback only
  UtcTime start;          // served clock when the '$' started to arrive (its start bit)
};

struct LineAssemblerCounters {
  std::uint64_t lines = 0;
  std::uint64_t overlong = 0;    // no end of line within the maximum length: discarded
  std::uint64_t junk_bytes = 0;  // bytes outside any sentence (binary protocols, noise)
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
  }

  const LineAssemblerCounters& counters() const { return counters_; }
  Nanoseconds byte_time() const { return byte_time_; }

 private:
  Nanoseconds byte_time_;
  Sink sink_;
  std::array<char, kMaxNmeaSentenceLength + 1> buffer_{};
  std::size_t length_ = 0;
  bool in_sentence_ = false;
  UtcTime start_{};
  LineAssemblerCounters counters_;
};

}  // namespace stratumd
