#include "firmware/config/config_lines.hpp"

namespace stratumd {

std::vector<ConfigLine> split_config_lines(std::string_view text, std::vector<SplitError>* errors) {
  std::vector<ConfigLine> lines;
  ConfigLine current;
  std::string word;
  bool in_word = false;
  bool in_quotes = false;
  int line_number = 1;

  auto end_word = [&] {
    if (in_word) current.words.push_back(std::move(word));
    word.clear();
    in_word = false;
  };
  auto end_line = [&] {
    end_word();
    if (!current.words.empty()) lines.push_back(std::move(current));
    current = ConfigLine{};
  };

  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (current.words.empty() && !in_word) current.line = line_number;
    if (c == '\n') {
      if (in_quotes && errors) errors->push_back({line_number, "unterminated quoted string"});
      in_quotes = false;
      end_line();
      ++line_number;
    } else if (in_quotes) {
      if (c == '"') {
        in_quotes = false;
      } else {
        word += c;
      }
    } else if (c == '"') {
      in_quotes = true;
      in_word = true;
    } else if (c == '#') {
      while (i + 1 < text.size() && text[i + 1] != '\n') ++i;
    } else if (c == '\\' && i + 1 < text.size() && text[i + 1] == '\n') {
      end_word();  // a continuation joins the next line to this one
      ++i;
      ++line_number;
    } else if (c == ' ' || c == '\t' || c == '\r') {
      end_word();
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_quotes && errors) errors->push_back({line_number, "unterminated quoted string"});
  end_line();
  return lines;
}

bool looks_like_host_name(std::string_view text) {
  if (text.empty() || text.size() > 253 || text.front() == '-' || text.front() == '.') return false;
  if (text.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") !=
      std::string_view::npos) {
    return false;
  }
  return text.find_first_not_of("0123456789.") != std::string_view::npos;
}

}  // namespace stratumd
