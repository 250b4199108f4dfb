// Test helper: an NMEA sentence from its body, with the checksum a receiver would append.
#pragma once

#include <cstdio>
#include <string>

namespace stratumd::testing {

inline std::string nmea_sentence(const std::string& body, const char* line_end = "") {
  unsigned sum = 0;
  for (const char c : body) sum ^= static_cast<unsigned char>(c);
  char tail[8];
  std::snprintf(tail, sizeof tail, "*%02X", sum);
  return "$" + body + tail + line_end;
}

}  // namespace stratumd::testing
