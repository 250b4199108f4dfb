#pragma once
// The part of YAML that cloud-init's NoCloud files use in practice (what Raspberry Pi Imager and
// the cloud-init documentation's examples write): block mappings and sequences (a sequence may sit
// at its key's indentation), "- key: value" items, plain, single- and double-quoted scalars,
// one-line flow sequences and mappings, literal (|) and folded (>) block scalars, comments.
// Anchors, aliases, tags and multi-line plain or flow scalars are refused with the line they are
// on: an appliance must not guess at what its operator wrote.
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace stratumd::firstboot {

struct YamlEntry;

struct YamlNode {
  enum class Kind { empty, scalar, sequence, mapping };
  Kind kind = Kind::empty;
  std::string scalar;
  std::vector<YamlNode> items;
  std::vector<YamlEntry> entries;  // in the document's order
  int line = 0;

  [[nodiscard]] const YamlNode* find(std::string_view key) const;
  [[nodiscard]] bool is_scalar() const { return kind == Kind::scalar; }
  [[nodiscard]] bool is_sequence() const { return kind == Kind::sequence; }
  [[nodiscard]] bool is_mapping() const { return kind == Kind::mapping; }
};

struct YamlEntry {
  std::string key;
  YamlNode value;
};

// What is wrong and where: "NAME:LINE: message".
class YamlError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The document in `text`; `name` is the file name the errors carry.
YamlNode parse_yaml(std::string_view text, std::string_view name);

// YAML 1.1's booleans as cloud-init reads them (true/false, yes/no, on/off, any case); nothing for
// anything else.
std::optional<bool> yaml_bool(const YamlNode& node);

}  // namespace stratumd::firstboot
