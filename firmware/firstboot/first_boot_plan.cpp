#include "firmware/firstboot/first_boot_plan.hpp"

#include <array>
#include <cstdint>
#include <cstdio>

#include "firmware/firstboot/cloud_yaml.hpp"
#include "firmware/firstboot/networkd_files.hpp"

namespace stratumd::firstboot {
namespace {

std::string at(const char* file, const YamlNode& node) {
  return std::string(file) + ":" + std::to_string(node.line) + ": ";
}

bool printable_line(const std::string& text) {
  for (const char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 && c != '\t') return false;
  }
  return true;
}

// A scalar, or each scalar of a sequence, or the comma-separated words of a scalar (cloud-init
// takes "groups: a, b" and "groups: [a, b]" alike).
std::vector<std::string> words(const YamlNode& node, bool split_commas) {
  std::vector<std::string> out;
  auto add = [&](std::string word) {
    while (!word.empty() && word.front() == ' ') word.erase(0, 1);
    while (!word.empty() && word.back() == ' ') word.pop_back();
    if (!word.empty()) out.push_back(std::move(word));
  };
  if (node.is_scalar()) {
    if (!split_commas) {
      add(node.scalar);
      return out;
    }
    std::size_t start = 0;
    while (start <= node.scalar.size()) {
      const auto comma = node.scalar.find(',', start);
      add(node.scalar.substr(start, comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  } else if (node.is_sequence()) {
    for (const auto& item : node.items) {
      if (item.is_scalar()) add(item.scalar);
    }
  }
  return out;
}

bool valid_user_name(const std::string& name) {
  if (name.empty() || name.size() > 32) return false;
  if (!(std::islower(static_cast<unsigned char>(name[0])) || name[0] == '_')) return false;
  for (const char c : name) {
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '_' || c == '-')) {
      return false;
    }
  }
  return true;
}

std::vector<std::string> keys_of(const YamlNode& node, const char* file,
                                 std::vector<std::string>& notes) {
  std::vector<std::string> keys;
  for (const auto& key : words(node, false)) {
    if (valid_ssh_key(key)) {
      keys.push_back(key);
    } else {
      notes.push_back(at(file, node) + "refused: not an SSH public key line: '" +
                      key.substr(0, 40) + "'");
    }
  }
  return keys;
}

void plan_user(const YamlNode& entry, FirstBootPlan& plan) {
  if (entry.is_scalar() && entry.scalar == "default") {
    plan.notes.push_back(at("user-data", entry) +
                         "ignored: 'default': this image has no default user (keys given at the "
                         "top level are root's)");
    return;
  }
  const YamlNode* name = entry.find("name");
  if (!entry.is_mapping() || name == nullptr || !name->is_scalar()) {
    plan.notes.push_back(at("user-data", entry) + "refused: a user needs a 'name'");
    return;
  }
  if (!valid_user_name(name->scalar)) {
    plan.notes.push_back(at("user-data", *name) + "refused: '" + name->scalar +
                         "' is not a user name (lower case letters, digits, '_' and '-')");
    return;
  }
  UserPlan user;
  user.name = name->scalar;
  for (const auto& [key, value] : entry.entries) {
    if (key == "name") continue;
    if (key == "groups") {
      user.groups = words(value, true);
    } else if (key == "sudo") {
      if (value.kind == YamlNode::Kind::empty || yaml_bool(value) == false) continue;
      for (auto& rule : words(value, false)) {
        if (printable_line(rule)) {
          user.sudo_rules.push_back(std::move(rule));
        } else {
          plan.notes.push_back(at("user-data", value) + "refused: a sudo rule with a line break");
        }
      }
    } else if (key == "shell" && value.is_scalar() && value.scalar.starts_with('/') &&
               printable_line(value.scalar)) {
      user.shell = value.scalar;
    } else if (key == "gecos" && value.is_scalar() && printable_line(value.scalar) &&
               value.scalar.find(':') == std::string::npos) {
      user.gecos = value.scalar;
    } else if (key == "ssh_authorized_keys") {
      user.ssh_keys = keys_of(value, "user-data", plan.notes);
    } else if (key == "lock_passwd") {
      if (yaml_bool(value) == false) {
        plan.notes.push_back(
            at("user-data", value) +
            "ignored: 'lock_passwd: false': passwords never log in here (SSH keys only)");
      }
    } else if (key == "passwd" || key == "hashed_passwd" || key == "plain_text_passwd") {
      plan.notes.push_back(at("user-data", value) + "refused: '" + key +
                           "': passwords never log in here (SSH keys only)");
    } else {
      plan.notes.push_back(at("user-data", value) + "ignored: user '" + user.name + "': '" + key +
                           "' is not supported by this image");
    }
  }
  plan.users.push_back(std::move(user));
}

std::optional<mode_t> octal_mode(const std::string& text) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  mode_t mode = 0;
  for (const char c : text) {
    if (c < '0' || c > '7') return std::nullopt;
    mode = mode * 8 + static_cast<mode_t>(c - '0');
  }
  if (mode > 07777) return std::nullopt;
  return mode;
}

std::optional<std::string> base64_decode(const std::string& text) {
  std::string out;
  std::uint32_t bits = 0;
  int count = 0;
  for (const char c : text) {
    int value = -1;
    if (c >= 'A' && c <= 'Z')
      value = c - 'A';
    else if (c >= 'a' && c <= 'z')
      value = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      value = c - '0' + 52;
    else if (c == '+')
      value = 62;
    else if (c == '/')
      value = 63;
    else if (c == '=' || c == '\n' || c == ' ' || c == '\r')
      continue;
    else
      return std::nullopt;
    bits = (bits << 6) | static_cast<std::uint32_t>(value);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += static_cast<char>((bits >> count) & 0xff);
    }
  }
  return out;
}

void plan_file(const YamlNode& entry, FirstBootPlan& plan) {
  const YamlNode* path = entry.find("path");
  if (!entry.is_mapping() || path == nullptr || !path->is_scalar()) {
    plan.notes.push_back(at("user-data", entry) + "refused: write_files: an entry needs a 'path'");
    return;
  }
  FilePlan file;
  file.path = path->scalar;
  if (!file.path.starts_with('/') || file.path.find("/../") != std::string::npos ||
      file.path.ends_with("/..") || file.path.ends_with('/') || !printable_line(file.path)) {
    plan.notes.push_back(at("user-data", *path) + "refused: write_files: '" + file.path +
                         "' is not an absolute file path");
    return;
  }
  std::string encoding = "text/plain";
  for (const auto& [key, value] : entry.entries) {
    if (key == "path") continue;
    if (key == "content") {
      file.content = value.scalar;
    } else if (key == "encoding") {
      encoding = value.scalar;
    } else if (key == "permissions") {
      const auto mode = octal_mode(value.scalar);
      if (!mode) {
        plan.notes.push_back(at("user-data", value) + "refused: write_files: " + file.path +
                             ": permissions '" + value.scalar + "' are not octal");
        return;
      }
      file.mode = *mode;
    } else if (key == "owner") {
      const auto colon = value.scalar.find(':');
      file.owner = value.scalar.substr(0, colon);
      file.group = colon == std::string::npos ? file.owner : value.scalar.substr(colon + 1);
    } else if (key == "append") {
      file.append = yaml_bool(value).value_or(false);
    } else if (key == "defer") {
      // Written after the users in any case.
    } else {
      plan.notes.push_back(at("user-data", value) + "ignored: write_files: " + file.path + ": '" +
                           key + "' is not supported");
    }
  }
  if (encoding == "b64" || encoding == "base64") {
    auto decoded = base64_decode(file.content);
    if (!decoded) {
      plan.notes.push_back(at("user-data", entry) + "refused: write_files: " + file.path +
                           ": the content is not base64");
      return;
    }
    file.content = std::move(*decoded);
  } else if (encoding != "text/plain") {
    plan.notes.push_back(at("user-data", entry) + "refused: write_files: " + file.path +
                         ": encoding '" + encoding + "' is not supported (text/plain, b64 are)");
    return;
  }
  plan.files.push_back(std::move(file));
}

void plan_user_data(const std::string& text, FirstBootPlan& plan) {
  if (text.starts_with("#!")) {
    plan.notes.push_back(
        "user-data:1: refused: a script: this image runs no user-data scripts (#cloud-config "
        "only)");
    return;
  }
  if (!text.starts_with("#cloud-config")) {
    plan.notes.push_back("user-data:1: refused: it must start with '#cloud-config'");
    plan.seed_broken = true;
    return;
  }
  const YamlNode root = parse_yaml(text, "user-data");
  if (root.kind == YamlNode::Kind::empty) return;
  if (!root.is_mapping())
    throw YamlError("user-data:" + std::to_string(root.line) + ": expected 'key: value' lines");
  for (const auto& [key, value] : root.entries) {
    if (key == "hostname" && value.is_scalar()) {
      plan.hostname = value.scalar;
    } else if (key == "fqdn" && value.is_scalar()) {
      plan.fqdn = value.scalar;
    } else if (key == "manage_etc_hosts") {
      plan.manage_etc_hosts = yaml_bool(value).value_or(false);
    } else if (key == "preserve_hostname") {
      if (yaml_bool(value) == true)
        plan.notes.push_back(at("user-data", value) +
                             "ignored: 'preserve_hostname': the hostname given here is set");
    } else if (key == "users") {
      for (const auto& entry : value.items) plan_user(entry, plan);
      if (!value.is_sequence())
        plan.notes.push_back(at("user-data", value) + "refused: 'users' must be a list");
    } else if (key == "ssh_authorized_keys") {
      auto keys = keys_of(value, "user-data", plan.notes);
      plan.root_keys.insert(plan.root_keys.end(), keys.begin(), keys.end());
    } else if (key == "ssh_pwauth") {
      if (yaml_bool(value) != false) {
        plan.notes.push_back(at("user-data", value) +
                             "refused: 'ssh_pwauth': passwords never log in here (SSH keys only)");
      }
    } else if (key == "disable_root") {
      if (yaml_bool(value) == true)
        plan.notes.push_back(at("user-data", value) +
                             "ignored: 'disable_root': root logs in with the top-level keys");
    } else if (key == "write_files") {
      for (const auto& entry : value.items) plan_file(entry, plan);
      if (!value.is_sequence())
        plan.notes.push_back(at("user-data", value) + "refused: 'write_files' must be a list");
    } else if (key == "password" || key == "chpasswd") {
      plan.notes.push_back(at("user-data", value) + "refused: '" + key +
                           "': passwords never log in here (SSH keys only)");
    } else {
      plan.notes.push_back(at("user-data", value) + "ignored: '" + key +
                           "' is not supported by this image");
    }
  }
  for (std::optional<std::string>* name : {&plan.hostname, &plan.fqdn}) {
    if (*name && !valid_hostname(**name)) {
      plan.notes.push_back("user-data: refused: '" + **name + "' is not a host name");
      name->reset();
    }
  }
}

std::uint64_t fnv1a(std::uint64_t hash, const std::optional<std::string>& text) {
  if (!text) return hash * 31;
  for (const char c : *text) hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  return hash;
}

}  // namespace

bool valid_hostname(const std::string& name) {
  if (name.empty() || name.size() > 253) return false;
  std::size_t label = 0;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (c == '.') {
      if (label == 0 || name[i - 1] == '-') return false;
      label = 0;
      continue;
    }
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || (c == '-' && label > 0);
    if (!ok || ++label > 63) return false;
  }
  return label > 0 && name.back() != '-';
}

bool valid_ssh_key(const std::string& line) {
  static constexpr std::array types{"ssh-ed25519",
                                    "ssh-rsa",
                                    "ecdsa-sha2-nistp256",
                                    "ecdsa-sha2-nistp384",
                                    "ecdsa-sha2-nistp521",
                                    "sk-ssh-ed25519@openssh.com",
                                    "sk-ecdsa-sha2-nistp256@openssh.com"};
  if (!printable_line(line)) return false;
  const auto space = line.find(' ');
  if (space == std::string::npos) return false;
  const std::string type = line.substr(0, space);
  bool known = false;
  for (const char* candidate : types) known = known || type == candidate;
  if (!known) return false;
  const auto end = line.find(' ', space + 1);
  const std::string blob =
      line.substr(space + 1, end == std::string::npos ? std::string::npos : end - space - 1);
  if (blob.size() < 32) return false;
  for (const char c : blob) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '='))
      return false;
  }
  return true;
}

FirstBootPlan plan_first_boot(const SeedFiles& seed) {
  FirstBootPlan plan;
  auto guarded = [&](const char* file, auto&& step) {
    try {
      step();
    } catch (const YamlError& error) {
      plan.notes.push_back(std::string(error.what()) + " (" + file +
                           " does not parse: nothing of the seed is applied)");
      plan.seed_broken = true;
    }
  };
  if (seed.meta_data) {
    guarded("meta-data", [&] {
      const YamlNode root = parse_yaml(*seed.meta_data, "meta-data");
      for (const char* key : {"instance-id", "instance_id"}) {
        if (const YamlNode* id = root.find(key); id != nullptr && id->is_scalar())
          plan.instance_id = id->scalar;
      }
      if (const YamlNode* name = root.find("local-hostname");
          name != nullptr && name->is_scalar()) {
        if (valid_hostname(name->scalar)) {
          plan.hostname = name->scalar;
        } else {
          plan.notes.push_back(at("meta-data", *name) + "refused: '" + name->scalar +
                               "' is not a host name");
        }
      }
    });
  }
  if (plan.instance_id.empty()) {
    char text[32];
    std::snprintf(text, sizeof text, "seed-%016llx",
                  static_cast<unsigned long long>(
                      fnv1a(fnv1a(fnv1a(0xcbf29ce484222325ULL, seed.user_data), seed.meta_data),
                            seed.network_config)));
    plan.instance_id = text;
  }
  if (!printable_line(plan.instance_id) || plan.instance_id.find('/') != std::string::npos) {
    plan.notes.push_back("meta-data: refused: the instance-id has a line break or '/'");
    plan.seed_broken = true;
    return plan;
  }
  if (seed.user_data) guarded("user-data", [&] { plan_user_data(*seed.user_data, plan); });
  if (seed.network_config) {
    guarded("network-config", [&] {
      plan.network = networkd_files(parse_yaml(*seed.network_config, "network-config"), plan.notes);
    });
  }
  // The system's name is the first label; the full name, given either way, is the fqdn.
  if (plan.hostname && !plan.fqdn && plan.hostname->find('.') != std::string::npos)
    plan.fqdn = plan.hostname;
  if (!plan.hostname && plan.fqdn) plan.hostname = plan.fqdn;
  if (plan.hostname) plan.hostname = plan.hostname->substr(0, plan.hostname->find('.'));
  return plan;
}

}  // namespace stratumd::firstboot
