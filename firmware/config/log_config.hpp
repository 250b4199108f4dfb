// ntpd's `logconfig`: which classes of messages (sys, peer, clock, sync) of which kinds (info,
// events, statistics, status) are logged, written as `=syncall +clockevents -sysinfo`. Pure.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace stratumd {

enum class LogClass : std::uint8_t { sys, peer, clock, sync };
enum class LogKind : std::uint8_t { info, events, statistics, status };

class LogMask {
 public:
  static LogMask everything() { return LogMask(0xFFFF); }
  bool allows(LogClass c, LogKind k) const { return bits_ & bit(c, k); }
  std::uint16_t bits() const { return bits_; }

  // Applies one logconfig line's words (after the directive); an error message, or empty.
  [[nodiscard]] std::string apply(const std::vector<std::string>& words);

 private:
  explicit LogMask(std::uint16_t bits) : bits_(bits) {}
  static std::uint16_t bit(LogClass c, LogKind k) {
    return static_cast<std::uint16_t>(1u
                                      << (static_cast<unsigned>(c) * 4 + static_cast<unsigned>(k)));
  }
  std::uint16_t bits_;
};

}  // namespace stratumd
