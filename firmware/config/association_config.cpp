#include "firmware/config/association_config.hpp"

#include <charconv>
#include <cmath>

#include "firmware/config/config_lines.hpp"

namespace stratumd {
namespace {

std::optional<long long> parse_number(const std::string& text) {
  long long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

bool valid_host(const std::string& text) {
  return IpAddress::parse(text).has_value() || looks_like_host_name(text);
}

bool is_option(const std::string& word) {
  for (const char* option :
       {"iburst", "burst", "prefer", "noselect", "true", "xleave", "preempt", "key", "minpoll",
        "maxpoll", "version", "ttl", "-4", "-6", "autokey", "mode"}) {
    if (word == option) return true;
  }
  return false;
}

constexpr const char* kServerOptions =
    "iburst, burst, prefer, noselect, true, xleave, preempt, key N, minpoll N, maxpoll N, "
    "version N, ttl N, -4, -6";

}  // namespace

std::string parse_association(const std::vector<std::string>& words, AssociationLine& out) {
  using Kind = AssociationLine::Kind;
  const std::string& name = words[0];
  if (name == "server") out.kind = Kind::server;
  if (name == "pool") out.kind = Kind::pool;
  if (name == "peer") out.kind = Kind::peer;
  if (name == "broadcast") out.kind = Kind::broadcast;
  if (name == "manycastclient") out.kind = Kind::manycastclient;
  if (name == "manycastserver") out.kind = Kind::manycastserver;
  if (name == "multicastclient") out.kind = Kind::multicastclient;
  if (name == "broadcastclient") out.kind = Kind::broadcastclient;
  if (out.kind == Kind::pool) out.preempt = true;

  std::size_t i = 1;
  if (i < words.size() && (words[i] == "-4" || words[i] == "-6")) {
    out.family = words[i] == "-4" ? IpFamily::v4 : IpFamily::v6;
    ++i;
  }
  if (out.kind == Kind::broadcastclient) {
    for (; i < words.size(); ++i) {
      if (words[i] != "novolley")
        return "broadcastclient takes only 'novolley', not '" + words[i] + "'";
      out.novolley = true;
    }
    return {};
  }
  // The address list: one for most, several for manycastserver and multicastclient.
  const bool list = out.kind == Kind::manycastserver || out.kind == Kind::multicastclient;
  while (i < words.size() && !is_option(words[i]) && (list || out.addresses.empty())) {
    if (!valid_host(words[i])) return "'" + words[i] + "' is not an address or host name";
    out.addresses.push_back(words[i++]);
  }
  if (out.addresses.empty() && out.kind != Kind::multicastclient) {
    return name + " needs an address or host name";
  }
  for (; i < words.size(); ++i) {
    const std::string& option = words[i];
    const auto value = [&](long long low, long long high) -> std::optional<long long> {
      if (i + 1 >= words.size()) return std::nullopt;
      const auto v = parse_number(words[i + 1]);
      if (!v || *v < low || *v > high) return std::nullopt;
      ++i;
      return v;
    };
    if (option == "iburst") {
      out.iburst = true;
    } else if (option == "burst") {
      out.burst = true;
    } else if (option == "prefer") {
      out.prefer = true;
    } else if (option == "noselect") {
      out.noselect = true;
    } else if (option == "true") {
      out.truechimer = true;
    } else if (option == "xleave") {
      out.xleave = true;
    } else if (option == "preempt") {
      out.preempt = true;
    } else if (option == "-4" || option == "-6") {
      out.family = option == "-4" ? IpFamily::v4 : IpFamily::v6;
    } else if (option == "key") {
      const auto v = value(1, 65535);
      if (!v) return "key needs a key ID from 1 to 65535";
      out.key = static_cast<std::uint32_t>(*v);
    } else if (option == "minpoll" || option == "maxpoll") {
      const auto v = value(3, 17);
      if (!v) return option + " needs a log2 interval from 3 to 17";
      (option == "minpoll" ? out.minpoll : out.maxpoll) = static_cast<int>(*v);
    } else if (option == "version") {
      const auto v = value(1, 4);
      if (!v) return "version needs 1 to 4";
      out.version = static_cast<int>(*v);
    } else if (option == "ttl") {
      const auto v = value(1, 255);
      if (!v) return "ttl needs 1 to 255";
      out.ttl = static_cast<int>(*v);
    } else if (option == "autokey" || option == "mode") {
      return "'" + option + "' is not supported (autokey is obsolete; use key N)";
    } else {
      return "unknown " + name + " option '" + option + "'; valid: " + kServerOptions;
    }
  }
  if (out.minpoll > out.maxpoll) {
    return "minpoll " + std::to_string(out.minpoll) + " is above maxpoll " +
           std::to_string(out.maxpoll);
  }
  return {};
}

std::string parse_broadcast_delay(const std::vector<std::string>& words, double& seconds) {
  double value = 0;
  if (words.size() == 2) {
    const auto [end, ec] =
        std::from_chars(words[1].data(), words[1].data() + words[1].size(), value);
    if (ec == std::errc{} && end == words[1].data() + words[1].size() && std::isfinite(value) &&
        value >= 0 && value <= 1) {
      seconds = value;
      return {};
    }
  }
  return "broadcastdelay takes the one-way delay in seconds, 0 to 1 (ntpd's default 0.004)";
}

}  // namespace stratumd
