#include "firmware/firstboot/cloud_yaml.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>

namespace stratumd::firstboot {
namespace {

struct Line {
  int number = 0;
  int indent = 0;
  std::string text;  // after the indentation, comments kept (block scalars need them)
};

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

// The line without its comment: a '#' that starts it or follows a blank, outside quotes.
std::string_view without_comment(std::string_view text) {
  char quote = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quote == '"' && c == '\\') {
      ++i;
    } else if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      if (i == 0 || text[i - 1] == ' ' || text[i - 1] == '[' || text[i - 1] == '{' ||
          text[i - 1] == ',' || text[i - 1] == ':') {
        quote = c;
      }
    } else if (c == '#' && (i == 0 || text[i - 1] == ' ' || text[i - 1] == '\t')) {
      return trim(text.substr(0, i));
    }
  }
  return trim(text);
}

bool is_item(std::string_view text) {
  return !text.empty() && text[0] == '-' && (text.size() == 1 || text[1] == ' ');
}

class Parser {
 public:
  Parser(std::string_view text, std::string_view name) : name_(name) {
    int number = 0;
    while (!text.empty() || number == 0) {
      const auto end = text.find('\n');
      std::string_view raw = text.substr(0, end);
      text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
      ++number;
      Line line{number, 0, {}};
      while (line.indent < static_cast<int>(raw.size()) && raw[line.indent] == ' ') ++line.indent;
      if (line.indent < static_cast<int>(raw.size()) && raw[line.indent] == '\t' &&
          !without_comment(raw).empty()) {
        fail(number, "a tab in the indentation (YAML indents with spaces)");
      }
      line.text = std::string(trim(raw.substr(line.indent)));
      lines_.push_back(std::move(line));
      if (end == std::string_view::npos) break;
    }
  }

  YamlNode document() {
    skip_blank();
    if (at_end()) return {};
    YamlNode node = block(lines_[pos_].indent);
    skip_blank();
    if (!at_end())
      fail(lines_[pos_].number, "unexpected text after the document (wrong indentation?)");
    return node;
  }

 private:
  [[noreturn]] void fail(int line, const std::string& message) const {
    throw YamlError(std::string(name_) + ":" + std::to_string(line) + ": " + message);
  }
  bool at_end() const { return pos_ >= lines_.size(); }
  std::string_view structure() const { return without_comment(lines_[pos_].text); }

  // Blank lines, comments, and the document markers and directives a cloud-config may carry.
  void skip_blank() {
    while (!at_end()) {
      const std::string_view text = structure();
      const bool marker =
          lines_[pos_].indent == 0 && (text == "---" || text == "..." || text.starts_with('%'));
      if (!text.empty() && !marker) return;
      ++pos_;
    }
  }

  YamlNode block(int indent) {
    const std::string_view text = structure();
    if (is_item(text)) return sequence(indent);
    if (key_split(text).has_value()) return mapping(indent);
    const int number = lines_[pos_].number;
    if (text.starts_with('|') || text.starts_with('>')) {
      ++pos_;
      return block_scalar(text, indent - 1, number);
    }
    YamlNode node = inline_value(text, number);
    ++pos_;
    return node;
  }

  YamlNode sequence(int indent) {
    YamlNode node;
    node.kind = YamlNode::Kind::sequence;
    node.line = lines_[pos_].number;
    while (true) {
      skip_blank();
      if (at_end() || lines_[pos_].indent < indent) break;
      if (lines_[pos_].indent > indent)
        fail(lines_[pos_].number, "unexpected indentation in a list");
      if (!is_item(structure())) break;
      Line& line = lines_[pos_];
      std::size_t offset = 1;
      while (offset < line.text.size() && line.text[offset] == ' ') ++offset;
      if (without_comment(std::string_view(line.text).substr(offset)).empty()) {
        const int number = line.number;
        ++pos_;
        skip_blank();
        if (!at_end() && lines_[pos_].indent > indent) {
          node.items.push_back(block(lines_[pos_].indent));
        } else {
          YamlNode empty;
          empty.line = number;
          node.items.push_back(std::move(empty));
        }
        continue;
      }
      // "- rest": the rest is a node of its own at the column where it starts.
      line.indent += static_cast<int>(offset);
      line.text.erase(0, offset);
      node.items.push_back(block(line.indent));
    }
    return node;
  }

  // "key: rest" (key plain or quoted); nothing when the text is not a mapping entry.
  std::optional<std::pair<std::string, std::string_view>> key_split(std::string_view text) const {
    if (text.empty() || text[0] == '[' || text[0] == '{' || is_item(text)) return std::nullopt;
    std::size_t colon = std::string_view::npos;
    std::string key;
    if (text[0] == '"' || text[0] == '\'') {
      const auto close = text.find(text[0], 1);
      if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
        return std::nullopt;
      key = std::string(text.substr(1, close - 1));
      colon = close + 1;
    } else {
      for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == ':' && (i + 1 == text.size() || text[i + 1] == ' ')) {
          colon = i;
          break;
        }
      }
      if (colon == std::string_view::npos) return std::nullopt;
      key = std::string(trim(text.substr(0, colon)));
    }
    if (colon + 1 < text.size() && text[colon + 1] != ' ') return std::nullopt;
    return std::pair{key, trim(text.substr(colon + 1))};
  }

  YamlNode mapping(int indent) {
    YamlNode node;
    node.kind = YamlNode::Kind::mapping;
    node.line = lines_[pos_].number;
    while (true) {
      skip_blank();
      if (at_end() || lines_[pos_].indent < indent) break;
      const int number = lines_[pos_].number;
      if (lines_[pos_].indent > indent) fail(number, "unexpected indentation");
      const std::string_view text = structure();
      if (is_item(text)) break;  // a list at its parent key's indentation ends this mapping
      auto split = key_split(text);
      if (!split) fail(number, "expected 'key: value'");
      auto [key, rest] = *split;
      if (node.find(key) != nullptr) fail(number, "'" + key + "' given twice");
      ++pos_;
      YamlNode value;
      if (rest.empty()) {
        skip_blank();
        if (!at_end() && lines_[pos_].indent > indent) {
          value = block(lines_[pos_].indent);
        } else if (!at_end() && lines_[pos_].indent == indent && is_item(structure())) {
          value = sequence(indent);
        } else {
          value.line = number;
        }
      } else if (rest.starts_with('|') || rest.starts_with('>')) {
        value = block_scalar(rest, indent, number);
      } else {
        value = inline_value(rest, number);
      }
      value.line = number;  // what is said of a value names its key's line
      node.entries.push_back({std::move(key), std::move(value)});
    }
    return node;
  }

  // The lines after a | or > indicator that are indented deeper than their parent.
  YamlNode block_scalar(std::string_view indicator, int parent_indent, int number) {
    const bool folded = indicator[0] == '>';
    const std::string_view chomp = indicator.substr(1);
    if (!chomp.empty() && chomp != "-" && chomp != "+") {
      fail(number, "block scalar indicator '" + std::string(indicator) +
                       "' is not supported (| |- |+ > >- >+ are)");
    }
    int content_indent = -1;
    std::vector<std::string> body;
    while (!at_end()) {
      const Line& line = lines_[pos_];
      if (line.text.empty()) {
        body.emplace_back();
        ++pos_;
        continue;
      }
      if (content_indent < 0) {
        if (line.indent <= parent_indent) break;
        content_indent = line.indent;
      }
      if (line.indent < content_indent) break;
      body.push_back(std::string(static_cast<std::size_t>(line.indent - content_indent), ' ') +
                     line.text);
      ++pos_;
    }
    std::size_t trailing = 0;
    while (!body.empty() && body.back().empty()) {
      body.pop_back();
      ++trailing;
    }
    // Blank lines after the block belong to what follows; give them back.
    pos_ -= trailing;
    std::string text;
    for (std::size_t i = 0; i < body.size(); ++i) {
      if (i > 0) {
        const bool join = folded && !body[i].empty() && !body[i - 1].empty() && body[i][0] != ' ' &&
                          body[i - 1][0] != ' ';
        text += join ? ' ' : '\n';
      }
      text += body[i];
    }
    if (!body.empty() && chomp != "-") text += '\n';
    if (chomp == "+") text.append(trailing, '\n');
    YamlNode node;
    node.kind = YamlNode::Kind::scalar;
    node.scalar = std::move(text);
    node.line = number;
    return node;
  }

  YamlNode inline_value(std::string_view text, int number) {
    std::size_t at = 0;
    YamlNode node = flow(text, at, number, false);
    while (at < text.size() && text[at] == ' ') ++at;
    if (at != text.size())
      fail(number, "unexpected text after a value: '" + std::string(text.substr(at)) + "'");
    return node;
  }

  YamlNode flow(std::string_view text, std::size_t& at, int number, bool inside) {
    while (at < text.size() && text[at] == ' ') ++at;
    YamlNode node;
    node.line = number;
    if (at == text.size()) return node;
    const char first = text[at];
    if (first == '&' || first == '*' || first == '!') {
      fail(number, "anchors, aliases and tags are not supported");
    }
    if (first == '[' || first == '{') {
      const bool is_map = first == '{';
      node.kind = is_map ? YamlNode::Kind::mapping : YamlNode::Kind::sequence;
      const char close = is_map ? '}' : ']';
      ++at;
      while (true) {
        while (at < text.size() && text[at] == ' ') ++at;
        if (at == text.size())
          fail(number, std::string("a flow collection must end with '") + close + "' on its line");
        if (text[at] == close) {
          ++at;
          return node;
        }
        const std::size_t before = at;
        if (is_map) {
          YamlNode key = flow(text, at, number, true);
          while (at < text.size() && text[at] == ' ') ++at;
          if (at == text.size() || text[at] != ':') fail(number, "expected ':' in a flow mapping");
          ++at;
          YamlNode value = flow(text, at, number, true);
          node.entries.push_back({key.scalar, std::move(value)});
        } else {
          node.items.push_back(flow(text, at, number, true));
        }
        while (at < text.size() && text[at] == ' ') ++at;
        if (at < text.size() && text[at] == ',') {
          ++at;
        } else if (at < text.size() && text[at] != close) {
          fail(number, std::string("unexpected '") + text[at] + "' in a flow collection");
        }
        if (at == before) fail(number, "unexpected text in a flow collection");
      }
    }
    node.kind = YamlNode::Kind::scalar;
    if (first == '"' || first == '\'') {
      node.scalar = quoted(text, at, number);
      return node;
    }
    const std::size_t start = at;
    while (at < text.size()) {
      const char c = text[at];
      if (inside && (c == ',' || c == ']' || c == '}')) break;
      if (inside && c == ':' && (at + 1 == text.size() || text[at + 1] == ' ')) break;
      ++at;
    }
    node.scalar = std::string(trim(text.substr(start, at - start)));
    if (node.scalar == "~" || node.scalar == "null" || node.scalar == "Null" ||
        node.scalar == "NULL") {
      node.kind = YamlNode::Kind::empty;
      node.scalar.clear();
    }
    return node;
  }

  std::string quoted(std::string_view text, std::size_t& at, int number) {
    const char quote = text[at++];
    std::string out;
    while (true) {
      if (at >= text.size()) fail(number, "a quoted string must end on its line");
      const char c = text[at++];
      if (quote == '\'' && c == '\'') {
        if (at < text.size() && text[at] == '\'') {
          out += '\'';
          ++at;
          continue;
        }
        return out;
      }
      if (quote == '"' && c == '"') return out;
      if (quote == '"' && c == '\\') {
        if (at >= text.size()) fail(number, "a quoted string must end on its line");
        const char escape = text[at++];
        switch (escape) {
          case 'n':
            out += '\n';
            break;
          case 't':
            out += '\t';
            break;
          case 'r':
            out += '\r';
            break;
          case '0':
            out += '\0';
            break;
          case '"':
          case '\\':
          case '/':
          case ' ':
            out += escape;
            break;
          default:
            fail(number, std::string("the escape \\") + escape + " is not supported");
        }
        continue;
      }
      out += c;
    }
  }

  std::string_view name_;
  std::vector<Line> lines_;
  std::size_t pos_ = 0;
};

}  // namespace

const YamlNode* YamlNode::find(std::string_view key) const {
  for (const auto& [name, value] : entries) {
    if (name == key) return &value;
  }
  return nullptr;
}

YamlNode parse_yaml(std::string_view text, std::string_view name) {
  return Parser(text, name).document();
}

std::optional<bool> yaml_bool(const YamlNode& node) {
  if (!node.is_scalar()) return std::nullopt;
  std::string word = node.scalar;
  std::transform(word.begin(), word.end(), word.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (word == "true" || word == "yes" || word == "on" || word == "y") return true;
  if (word == "false" || word == "no" || word == "off" || word == "n") return false;
  return std::nullopt;
}

}  // namespace stratumd::firstboot
