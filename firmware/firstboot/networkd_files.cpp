#include "firmware/firstboot/networkd_files.hpp"

#include <arpa/inet.h>

#include <cstdlib>

namespace stratumd::firstboot {
namespace {

std::string at(const YamlNode& node) {
  return "network-config:" + std::to_string(node.line) + ": ";
}

bool is_address(const std::string& text) {
  unsigned char buffer[16];
  return inet_pton(AF_INET, text.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

// "192.0.2.10/24" or "2001:db8::10/64".
bool is_prefix(const std::string& text) {
  const auto slash = text.find('/');
  if (slash == std::string::npos || slash + 1 == text.size()) return false;
  const std::string address = text.substr(0, slash);
  char* end = nullptr;
  const long length = std::strtol(text.c_str() + slash + 1, &end, 10);
  const long longest = address.find(':') == std::string::npos ? 32 : 128;
  return *end == '\0' && length >= 0 && length <= longest && is_address(address);
}

std::vector<std::string> scalars(const YamlNode& node) {
  std::vector<std::string> out;
  if (node.is_scalar()) out.push_back(node.scalar);
  for (const auto& item : node.items) {
    if (item.is_scalar()) out.push_back(item.scalar);
  }
  return out;
}

// Interface names and MAC addresses go into the file as they are: nothing but these characters.
bool is_plain_word(const std::string& text) {
  if (text.empty()) return false;
  for (const char c : text) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
          c == ':' || c == '*')) {
      return false;
    }
  }
  return true;
}

bool ethernet(const std::string& id, const YamlNode& config, std::vector<std::string>& notes,
              std::string& out) {
  std::string match = "Name=" + id;
  std::string network;
  std::string link;
  std::string routes;
  bool dhcp4 = false;
  bool dhcp6 = false;
  for (const auto& [key, value] : config.entries) {
    if (key == "match") {
      match.clear();
      for (const auto& [what, pattern] : value.entries) {
        if ((what == "name" || what == "macaddress") && pattern.is_scalar() &&
            is_plain_word(pattern.scalar)) {
          match += (what == "name" ? "Name=" : "MACAddress=") + pattern.scalar + "\n";
        } else {
          notes.push_back(at(pattern) + "refused: " + id + ": match '" + what +
                          "' (name and macaddress are supported)");
          return false;
        }
      }
      if (!match.empty()) match.pop_back();
    } else if (key == "dhcp4") {
      dhcp4 = yaml_bool(value).value_or(false);
    } else if (key == "dhcp6") {
      dhcp6 = yaml_bool(value).value_or(false);
    } else if (key == "addresses") {
      for (const auto& address : scalars(value)) {
        if (!is_prefix(address)) {
          notes.push_back(at(value) + "refused: " + id + ": '" + address +
                          "' is not an address/prefix");
          return false;
        }
        network += "Address=" + address + "\n";
      }
    } else if (key == "gateway4" || key == "gateway6") {
      if (!value.is_scalar() || !is_address(value.scalar)) {
        notes.push_back(at(value) + "refused: " + id + ": " + key + " '" + value.scalar +
                        "' is not an address");
        return false;
      }
      network += "Gateway=" + value.scalar + "\n";
    } else if (key == "nameservers") {
      for (const auto& [what, list] : value.entries) {
        for (const auto& entry : scalars(list)) {
          if (what == "addresses" && is_address(entry)) {
            network += "DNS=" + entry + "\n";
          } else if (what == "search" && is_plain_word(entry)) {
            network += "Domains=" + entry + "\n";
          } else {
            notes.push_back(at(list) + "refused: " + id + ": nameservers " + what + " '" + entry +
                            "'");
            return false;
          }
        }
      }
    } else if (key == "routes") {
      for (const auto& route : value.items) {
        const YamlNode* to = route.find("to");
        const YamlNode* via = route.find("via");
        if (to == nullptr || via == nullptr || !is_address(via->scalar) ||
            !(to->scalar == "default" || is_prefix(to->scalar))) {
          notes.push_back(
              at(route) + "refused: " + id +
              ": a route needs 'to' (default or address/prefix) and 'via' (an address)");
          return false;
        }
        std::string destination = to->scalar;
        if (destination == "default")
          destination = via->scalar.find(':') == std::string::npos ? "0.0.0.0/0" : "::/0";
        routes += "\n[Route]\nDestination=" + destination + "\nGateway=" + via->scalar + "\n";
        if (const YamlNode* metric = route.find("metric"); metric != nullptr) {
          routes += "Metric=" + std::to_string(std::atoi(metric->scalar.c_str())) + "\n";
        }
      }
    } else if (key == "optional") {
      if (yaml_bool(value) == true) link = "\n[Link]\nRequiredForOnline=no\n";
    } else if (key == "set-name" || key == "renderer" || key == "wakeonlan") {
      notes.push_back(at(value) + "ignored: " + id + ": '" + key + "' is not supported");
    } else {
      notes.push_back(at(value) + "ignored: " + id + ": '" + key + "' is not supported");
    }
  }
  const char* dhcp = dhcp4 && dhcp6 ? "yes" : dhcp4 ? "ipv4" : dhcp6 ? "ipv6" : "no";
  out = "# From the NoCloud network-config (stratumd-firstboot).\n[Match]\n" + match +
        "\n\n[Network]\nDHCP=" + dhcp + "\n" + network + link + routes;
  return true;
}

}  // namespace

std::vector<NetworkFilePlan> networkd_files(const YamlNode& network_config,
                                            std::vector<std::string>& notes) {
  std::vector<NetworkFilePlan> files;
  const YamlNode* root = network_config.find("network");
  if (root == nullptr) root = &network_config;
  if (root->kind == YamlNode::Kind::empty) return files;
  const YamlNode* version = root->find("version");
  if (version == nullptr || version->scalar != "2") {
    notes.push_back(
        at(version != nullptr ? *version : *root) +
        "refused: only network-config version 2 is supported (nothing of it is applied)");
    return files;
  }
  for (const auto& [key, value] : root->entries) {
    if (key == "version") continue;
    if (key != "ethernets") {
      notes.push_back(at(value) + "refused: '" + key + "': this image configures Ethernet only");
      continue;
    }
    for (const auto& [id, config] : value.entries) {
      if (!is_plain_word(id) || id.find('*') != std::string::npos ||
          id.find(':') != std::string::npos) {
        notes.push_back(at(config) + "refused: '" + id + "' is not an interface name");
        continue;
      }
      std::string text;
      if (ethernet(id, config, notes, text))
        files.push_back({"05-firstboot-" + id + ".network", std::move(text)});
    }
  }
  return files;
}

}  // namespace stratumd::firstboot
