#include "firmware/config/ntp_conf_parser.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace stratumd {
namespace {

constexpr int kMaxIncludeDepth = 5;

// What we do with each directive ntpd knows. Not yet implemented ones are warned about with their
// line, never silently ignored, so an operator sees what the running daemon does not honour.
enum class Support { handled, not_yet, not_planned };

struct DirectiveInfo {
  std::string_view name;
  Support support;
};

constexpr std::array kDirectives{
    DirectiveInfo{"server", Support::handled},
    DirectiveInfo{"pool", Support::not_yet},
    DirectiveInfo{"peer", Support::not_yet},
    DirectiveInfo{"broadcast", Support::not_yet},
    DirectiveInfo{"manycastserver", Support::not_yet},
    DirectiveInfo{"manycastclient", Support::not_yet},
    DirectiveInfo{"broadcastclient", Support::not_yet},
    DirectiveInfo{"multicastclient", Support::not_yet},
    DirectiveInfo{"fudge", Support::handled},
    DirectiveInfo{"refclock", Support::handled},
    DirectiveInfo{"restrict", Support::not_yet},
    DirectiveInfo{"discard", Support::not_yet},
    DirectiveInfo{"driftfile", Support::handled},
    DirectiveInfo{"leapfile", Support::not_yet},
    DirectiveInfo{"logfile", Support::not_yet},
    DirectiveInfo{"logconfig", Support::not_yet},
    DirectiveInfo{"statsdir", Support::not_yet},
    DirectiveInfo{"statistics", Support::not_yet},
    DirectiveInfo{"filegen", Support::not_yet},
    DirectiveInfo{"keys", Support::not_yet},
    DirectiveInfo{"trustedkey", Support::not_yet},
    DirectiveInfo{"requestkey", Support::not_yet},
    DirectiveInfo{"controlkey", Support::not_yet},
    DirectiveInfo{"interface", Support::not_yet},
    DirectiveInfo{"tos", Support::not_yet},
    DirectiveInfo{"tinker", Support::not_yet},
    DirectiveInfo{"enable", Support::not_yet},
    DirectiveInfo{"disable", Support::not_yet},
    DirectiveInfo{"broadcastdelay", Support::not_yet},
    DirectiveInfo{"includefile", Support::handled},
    DirectiveInfo{"crypto", Support::not_planned},
    DirectiveInfo{"autokey", Support::not_planned},
    DirectiveInfo{"revoke", Support::not_planned},
    DirectiveInfo{"ntpsigndsocket", Support::not_planned},
    DirectiveInfo{"phone", Support::not_planned},
    DirectiveInfo{"setvar", Support::not_yet},
    DirectiveInfo{"trap", Support::not_planned},
    DirectiveInfo{"ttl", Support::not_yet},
    DirectiveInfo{"mru", Support::not_yet},
    DirectiveInfo{"nonvolatile", Support::not_yet},
    DirectiveInfo{"saveconfigdir", Support::not_planned},
    DirectiveInfo{"rlimit", Support::not_planned},
    DirectiveInfo{"threads", Support::not_yet},
};

const DirectiveInfo* find_directive(std::string_view name) {
  const auto it = std::find_if(kDirectives.begin(), kDirectives.end(),
                               [&](const DirectiveInfo& d) { return d.name == name; });
  return it == kDirectives.end() ? nullptr : &*it;
}

std::optional<int> parse_int(std::string_view text) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// ntpd names reference clocks by the pseudo-address 127.127.TYPE.UNIT.
std::optional<RefclockDeclaration> parse_refclock_address(std::string_view address) {
  constexpr std::string_view kPrefix = "127.127.";
  if (!address.starts_with(kPrefix)) return std::nullopt;
  address.remove_prefix(kPrefix.size());
  const auto dot = address.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  const auto type = parse_int(address.substr(0, dot));
  const auto unit = parse_int(address.substr(dot + 1));
  if (!type || !unit || *type < 1 || *type > 255 || *unit < 0 || *unit > 255) return std::nullopt;
  return RefclockDeclaration{*type, *unit, {}};
}

std::string directory_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? std::string{} : path.substr(0, slash + 1);
}

class Parser {
 public:
  explicit Parser(const FileLoader& load) : load_(load) {}

  void parse_file(const std::string& path, int depth, const SourceLocation* included_from) {
    if (depth > kMaxIncludeDepth) {
      error(*included_from, "includefile nested deeper than " + std::to_string(kMaxIncludeDepth) +
                                " levels; refusing '" + path + "'");
      return;
    }
    if (std::find(stack_.begin(), stack_.end(), path) != stack_.end()) {
      error(*included_from, "includefile '" + path + "' includes itself (a cycle); refused");
      return;
    }
    const auto text = load_(path);
    if (!text) {
      if (included_from) {
        warning(*included_from,
                "includefile '" + path + "' cannot be read; skipped (as ntpd does)");
      } else {
        config_.findings.push_back(
            {Severity::error, {path, 0}, "cannot read the configuration file"});
      }
      return;
    }
    stack_.push_back(path);
    std::vector<SplitError> split_errors;
    for (const ConfigLine& line : split_config_lines(*text, &split_errors)) {
      handle_line({path, line.line}, line.words, depth);
    }
    for (const SplitError& e : split_errors) error({path, e.line}, e.message);
    stack_.pop_back();
  }

  DaemonConfig take() { return std::move(config_); }

 private:
  void error(const SourceLocation& where, std::string message) {
    config_.findings.push_back({Severity::error, where, std::move(message)});
  }
  void warning(const SourceLocation& where, std::string message) {
    config_.findings.push_back({Severity::warning, where, std::move(message)});
  }

  void handle_line(const SourceLocation& where, const std::vector<std::string>& words, int depth) {
    const std::string& name = words.front();
    const DirectiveInfo* info = find_directive(name);
    if (!info) {
      error(where, "unknown directive '" + name + "' (see ntp.conf(5) for the valid ones)");
      return;
    }
    switch (info->support) {
      case Support::not_yet:
        warning(where, "'" + name + "' is not implemented yet; line ignored");
        return;
      case Support::not_planned:
        warning(where, "'" + name + "' is not supported by stratumd; line ignored");
        return;
      case Support::handled:
        break;
    }
    if (name == "includefile") {
      if (words.size() != 2) return error(where, "includefile takes one file name");
      std::string target = words[1];
      if (!target.starts_with('/')) target = directory_of(where.file) + target;
      parse_file(target, depth + 1, &where);
    } else if (name == "driftfile") {
      if (words.size() < 2) return error(where, "driftfile needs a file name");
      config_.driftfile = words[1];
      warning(where,
              "the drift file is not read or written yet; the frequency is learnt afresh at each "
              "start");
    } else if (name == "server") {
      if (words.size() < 2) return error(where, "server needs an address");
      if (auto refclock = parse_refclock_address(words[1])) {
        refclock->where = where;
        config_.refclocks.push_back(*refclock);
      } else if (words[1].starts_with("127.127.")) {
        error(where,
              "'" + words[1] + "' is not a valid reference clock address (127.127.TYPE.UNIT)");
      } else {
        config_.upstream_servers.push_back(words[1]);
        warning(where,
                "upstream server '" + words[1] +
                    "' is not used yet (network associations are not implemented); line ignored");
      }
    } else if (name == "fudge") {
      if (words.size() < 2 || !parse_refclock_address(words[1])) {
        return error(where, "fudge needs a reference clock address 127.127.TYPE.UNIT");
      }
      warning(where, "fudge options are not applied yet; line ignored");
    } else if (name == "refclock") {
      if (words.size() < 2)
        return error(where, "refclock needs a driver name (e.g. nmea, pps, shm)");
      warning(where, "refclock '" + words[1] + "' is not implemented yet; line ignored");
    }
  }

  const FileLoader& load_;
  DaemonConfig config_;
  std::vector<std::string> stack_;
};

}  // namespace

std::string ConfigFinding::format() const {
  std::string out = where.file;
  if (where.line > 0) out += ":" + std::to_string(where.line);
  out += severity == Severity::error ? ": error: " : ": warning: ";
  out += message;
  return out;
}

bool DaemonConfig::has_errors() const {
  return std::any_of(findings.begin(), findings.end(),
                     [](const ConfigFinding& f) { return f.severity == Severity::error; });
}

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

DaemonConfig parse_ntp_conf(const std::string& path, const FileLoader& load) {
  Parser parser(load);
  parser.parse_file(path, 0, nullptr);
  return parser.take();
}

}  // namespace stratumd
