// A GPS receiver's serial stream: any bytes, cut into reads of any size, go through the line
// assembler, the sentence parser and the NMEA reference clock; labels are never before the
// base date's era or far beyond it, and nothing crashes.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>

#include "refclock/nmea_line_assembler.hpp"
#include "refclock/nmea_parser.hpp"
#include "refclock/nmea_refclock.hpp"

using namespace stratumd;
using namespace std::chrono;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const sys_days base = sys_days{2026y / January / 1};
  NmeaRefclock refclock{NmeaRefclockConfig{base}, [&](const NmeaLabel& label) {
                          // A label is a second within the 1024-week window after the base date.
                          const std::int64_t earliest =
                              duration_cast<seconds>(base.time_since_epoch()).count() - 86400;
                          if (label.label.second < earliest ||
                              label.label.second > earliest + 1024LL * 7 * 86400 + 2 * 86400) {
                            __builtin_trap();
                          }
                        }};
  NmeaLineAssembler assembler(9600, [&](const NmeaLine& line) {
    parse_nmea_sentence(line.text);
    refclock.on_line(line);
  });
  // The first byte sets the read size; reads come 10 ms apart.
  const std::size_t chunk = 1 + data[0] % 96;
  UtcTime now{duration_cast<nanoseconds>(base.time_since_epoch())};
  for (std::size_t at = 1; at < size; at += chunk) {
    now += milliseconds{10};
    assembler.feed(std::span(data + at, std::min(chunk, size - at)), now);
  }
  return 0;
}
