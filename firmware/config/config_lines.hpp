// ntp.conf's lexical layer: comments, quoted words and backslash continuations, turned into one
// list of words per logical line with the line number it starts on.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace stratumd {

// One logical line split into words: comments removed, quotes honoured, continuations joined.
struct ConfigLine {
  int line = 0;  // where the logical line starts
  std::vector<std::string> words;
};

struct SplitError {
  int line = 0;
  std::string message;
};

std::vector<ConfigLine> split_config_lines(std::string_view text,
                                           std::vector<SplitError>* errors = nullptr);

// A DNS name (letters, digits, hyphens, dots; not all digits, so no mistyped address passes).
bool looks_like_host_name(std::string_view text);

}  // namespace stratumd
