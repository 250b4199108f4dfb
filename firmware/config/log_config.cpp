#include "firmware/config/log_config.hpp"

#include <array>
#include <optional>
#include <string_view>

namespace stratumd {
namespace {

constexpr std::array<std::string_view, 4> kClasses{"sys", "peer", "clock", "sync"};
constexpr std::array<std::string_view, 4> kKinds{"info", "events", "statistics", "status"};

// "syncevents" -> the bits it names; "all", "syncall", "allevents" cover several.
std::optional<std::uint16_t> bits_of(std::string_view name) {
  if (name == "all" || name == "allall") return std::uint16_t{0xFFFF};
  std::uint16_t bits = 0;
  for (std::size_t c = 0; c < kClasses.size(); ++c) {
    for (std::size_t k = 0; k < kKinds.size(); ++k) {
      const bool class_matches = name.starts_with(kClasses[c]) || name.starts_with("all");
      const std::string_view rest =
          name.substr(name.starts_with("all") ? 3 : (class_matches ? kClasses[c].size() : 0));
      if (class_matches && (rest == kKinds[k] || rest == "all")) {
        bits = static_cast<std::uint16_t>(bits | (1u << (c * 4 + k)));
      }
    }
  }
  if (bits == 0) return std::nullopt;
  return bits;
}

}  // namespace

std::string LogMask::apply(const std::vector<std::string>& words) {
  if (words.empty()) return "logconfig needs at least one =CLASSKIND, +CLASSKIND or -CLASSKIND";
  for (const std::string& word : words) {
    char op = word.front();
    std::string_view name = word;
    if (op == '=' || op == '+' || op == '-') {
      name.remove_prefix(1);
    } else {
      op = '+';  // ntpd takes a bare name as '+'
    }
    const auto bits = bits_of(name);
    if (!bits) {
      return "logconfig: '" + std::string(name) +
             "' is not a class and kind; classes sys peer clock sync all, kinds info events "
             "statistics status all (e.g. =syncall +clockevents)";
    }
    if (op == '=') {
      bits_ = *bits;
    } else if (op == '+') {
      bits_ = static_cast<std::uint16_t>(bits_ | *bits);
    } else {
      bits_ = static_cast<std::uint16_t>(bits_ & ~*bits);
    }
  }
  return {};
}

}  // namespace stratumd
