#include "firmware/console/console_session.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <sstream>

namespace stratumd {
namespace {

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Splits "word rest of line".
std::pair<std::string_view, std::string_view> first_word(std::string_view line) {
  line = trim(line);
  const auto space = line.find_first_of(" \t");
  if (space == std::string_view::npos) return {line, {}};
  return {line.substr(0, space), trim(line.substr(space))};
}

std::optional<std::size_t> parse_line_number(std::string_view text) {
  std::size_t n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc{} || end != text.data() + text.size() || n == 0) return std::nullopt;
  return n;
}

constexpr const char* kHelp =
    "status               state, source, offset, frequency, PPS, clients served\n"
    "show sources         the reference clocks and what they deliver\n"
    "show config          the configuration being edited, numbered\n"
    "show running         the configuration in force\n"
    "add LINE             append a configuration line (checked at once)\n"
    "set N LINE           replace line N (checked at once)\n"
    "remove N             delete line N\n"
    "diff                 what the edits change, against the running configuration\n"
    "check                every finding for the edited configuration\n"
    "apply [SECONDS]      put the edits in force; rolled back unless the daemon is still\n"
    "                     synchronised and answering after SECONDS (default 60)\n"
    "revert               drop the edits\n"
    "save                 write the running configuration to its file (old one kept as .bak)\n"
    "log [N]              the last N log lines (default 20)\n"
    "help                 this list\n"
    "quit                 leave the console\n";

constexpr std::array<std::string_view, 15> kCommands{"status", "show",  "add",   "set",    "remove",
                                                     "diff",   "check", "apply", "revert", "save",
                                                     "log",    "help",  "quit",  "exit",   "?"};

}  // namespace

std::vector<std::string> console_completions(std::string_view line) {
  std::vector<std::string_view> words;
  std::size_t at = 0;
  while (at < line.size()) {
    const std::size_t start = line.find_first_not_of(" \t", at);
    if (start == std::string_view::npos) break;
    const std::size_t end = std::min(line.find_first_of(" \t", start), line.size());
    words.push_back(line.substr(start, end - start));
    at = end;
  }
  const bool fresh_word = line.empty() || line.back() == ' ' || line.back() == '\t';
  const std::string_view partial = fresh_word || words.empty() ? "" : words.back();
  const std::size_t position = words.size() - (fresh_word || words.empty() ? 0 : 1);
  std::vector<std::string_view> choices;
  if (position == 0) {
    choices.assign(kCommands.begin(), kCommands.end() - 1);  // not "?"
  } else if (words[0] == "show" && position == 1) {
    choices = {"sources", "config", "running"};
  } else if ((words[0] == "add" && position == 1) || (words[0] == "set" && position == 2)) {
    choices = directive_names();
  }
  std::vector<std::string> out;
  for (const std::string_view c : choices) {
    if (c.starts_with(partial)) out.emplace_back(c);
  }
  return out;
}

ConsoleSession::ConsoleSession(ConsoleBackend& backend) : backend_(backend) {
  reload_candidate();
}

void ConsoleSession::reload_candidate() {
  running_ = split_lines(backend_.running_config_text());
  candidate_ = running_;
}

std::string ConsoleSession::show_config() const {
  std::string out;
  for (std::size_t i = 0; i < candidate_.size(); ++i) {
    out += std::to_string(i + 1) + "\t" + candidate_[i] + "\n";
  }
  if (candidate_ != running_)
    out += "(edited: 'diff' shows the changes, 'apply' puts them in force)\n";
  return out.empty() ? "(empty: the built-in default)\n" : out;
}

// A line-by-line diff (longest common subsequence): small files, clear output.
std::string ConsoleSession::diff() const {
  const std::vector<std::string>& a = running_;
  const std::vector<std::string>& b = candidate_;
  std::vector<std::vector<int>> common(a.size() + 1, std::vector<int>(b.size() + 1, 0));
  for (std::size_t i = a.size(); i-- > 0;) {
    for (std::size_t j = b.size(); j-- > 0;) {
      common[i][j] =
          a[i] == b[j] ? common[i + 1][j + 1] + 1 : std::max(common[i + 1][j], common[i][j + 1]);
    }
  }
  std::string out;
  std::size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (i < a.size() && j < b.size() && a[i] == b[j]) {
      ++i, ++j;
    } else if (i < a.size() && (j == b.size() || common[i + 1][j] >= common[i][j + 1])) {
      out += "-" + a[i++] + "\n";  // removals first, as diff -u shows them
    } else {
      out += "+" + b[j++] + "\n";
    }
  }
  return out.empty() ? "no changes\n" : out;
}

std::string ConsoleSession::findings_of(const std::string& text, bool errors_only) const {
  const DaemonConfig parsed = backend_.parse(text);
  std::string out;
  for (const ConfigFinding& f : parsed.findings) {
    if (errors_only && f.severity != Severity::error) continue;
    out += f.format() + "\n";
  }
  return out;
}

std::string ConsoleSession::edit(std::vector<std::string> edited, std::size_t changed_line) {
  const DaemonConfig parsed = backend_.parse(join_lines(edited));
  std::string refused;
  std::string warnings;
  for (const ConfigFinding& f : parsed.findings) {
    const bool on_this_line =
        f.where.file == backend_.config_path() && f.where.line == static_cast<int>(changed_line);
    if (f.severity == Severity::error && (on_this_line || changed_line == 0)) {
      refused += f.format() + "\n";
    } else if (on_this_line) {
      warnings += f.format() + "\n";
    }
  }
  if (!refused.empty()) return failure("refused:\n" + refused);
  candidate_ = std::move(edited);
  return warnings + "ok\n";
}

std::string ConsoleSession::sync_running() {
  std::vector<std::string> now = split_lines(backend_.running_config_text());
  if (now == running_) return {};
  const bool edited = candidate_ != running_;
  running_ = std::move(now);
  if (!edited) {
    candidate_ = running_;
    return {};
  }
  return "(the running configuration changed meanwhile (a rollback or SIGHUP); your edits are "
         "kept: 'diff' compares them with it, 'revert' drops them)\n";
}

std::string ConsoleSession::handle(std::string_view line) {
  failed_ = false;
  const auto [command, rest] = first_word(line);
  if (command.empty()) return "";
  const std::string notice = sync_running();
  if (!notice.empty()) return notice + handle_synced(command, rest);
  return handle_synced(command, rest);
}

std::string ConsoleSession::handle_synced(std::string_view command, std::string_view rest) {
  if (command == "help" || command == "?") return kHelp;
  if (command == "status") return backend_.status();
  if (command == "show") {
    if (rest == "sources") return backend_.sources();
    if (rest == "config") return show_config();
    if (rest == "running") {
      std::string out;
      for (std::size_t i = 0; i < running_.size(); ++i)
        out += std::to_string(i + 1) + "\t" + running_[i] + "\n";
      if (out.empty()) out = "(empty: the built-in default)\n";
      const std::vector<std::string> waiting = backend_.waiting_for_restart();
      if (!waiting.empty()) {
        out += "not yet in force, they wait for a restart:";
        for (std::size_t i = 0; i < waiting.size(); ++i) out += (i ? "; " : " ") + waiting[i];
        out += "\n";
      }
      if (const std::string unused = backend_.not_used(); !unused.empty())
        out += "not used: " + unused + "\n";
      return out;
    }
    return failure("show what? sources, config or running\n");
  }
  if (command == "add") {
    if (rest.empty())
      return failure("add needs a configuration line, e.g. 'add restrict 10.0.0.0/8'\n");
    std::vector<std::string> edited = candidate_;
    edited.emplace_back(rest);
    const std::size_t added_line = edited.size();
    return edit(std::move(edited), added_line);
  }
  if (command == "set" || command == "remove") {
    const auto [number_text, text] = first_word(rest);
    const auto n = parse_line_number(number_text);
    if (!n || *n > candidate_.size()) {
      return failure(std::string(command) + " needs a line number from 1 to " +
                     std::to_string(candidate_.size()) + " ('show config' numbers them)\n");
    }
    std::vector<std::string> edited = candidate_;
    if (command == "remove") {
      edited.erase(edited.begin() + static_cast<std::ptrdiff_t>(*n - 1));
      return edit(std::move(edited), 0);
    }
    if (text.empty()) return failure("set needs a line number and the new line\n");
    edited[*n - 1] = std::string(text);
    return edit(std::move(edited), *n);
  }
  if (command == "diff") return diff();
  if (command == "check") {
    const std::string findings = findings_of(join_lines(candidate_), false);
    return findings.empty() ? "no findings\n" : findings;
  }
  if (command == "revert") {
    candidate_ = running_;
    return "edits dropped\n";
  }
  if (command == "apply") {
    int seconds = kDefaultApplyWatchSeconds;
    if (!rest.empty()) {
      const auto n = parse_line_number(rest);
      if (!n || *n > 3600) return failure("apply takes a rollback window in seconds, 1 to 3600\n");
      seconds = static_cast<int>(*n);
    }
    if (candidate_ == running_) return "no changes to apply\n";
    const std::string errors = findings_of(join_lines(candidate_), true);
    if (!errors.empty()) return failure("refused:\n" + errors);
    ConsoleReply result = backend_.apply(join_lines(candidate_), seconds);
    reload_candidate();
    return from_backend(std::move(result));
  }
  if (command == "save") return from_backend(backend_.save(join_lines(running_)));
  if (command == "log") {
    std::size_t lines = 20;
    if (!rest.empty()) {
      const auto n = parse_line_number(rest);
      if (!n) return failure("log takes a number of lines\n");
      lines = *n;
    }
    std::string out;
    for (const std::string& l : backend_.recent_log(lines)) out += l + "\n";
    return out.empty() ? "(nothing logged yet)\n" : out;
  }
  return failure("unknown command '" + std::string(command) + "'; 'help' lists them\n");
}

}  // namespace stratumd
