#include "firmware/config/chrony_hint.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace stratumd {
namespace {

// chrony.conf directives that ntp.conf does not have (shared ones — server, pool, peer,
// driftfile, leapfile — are read as ntp.conf lines).
constexpr std::array<std::string_view, 38> kChronyOnly{
    "makestep",      "allow",          "deny",          "rtcsync",
    "hwtimestamp",   "local",          "cmdport",       "cmdallow",
    "cmddeny",       "bindcmdaddress", "bindaddress",   "logdir",
    "log",           "dumpdir",        "maxupdateskew", "initstepslew",
    "leapsectz",     "smoothtime",     "ntsdumpdir",    "sourcedir",
    "confdir",       "keyfile",        "rtcfile",       "lock_all",
    "maxdistance",   "minsources",     "corrtimeratio", "clientloglimit",
    "ratelimit",     "sched_priority", "maxslewrate",   "leapsecmode",
    "hwclockfile",   "stratumweight",  "noclientlog",   "ntsserverkey",
    "ntsservercert", "maxchange"};

// chrony's refclock drivers are upper case (NTPsec's, which stratumd reads, are lower case).
bool is_chrony_refclock(const std::vector<std::string>& words) {
  return words.size() >= 2 && words[0] == "refclock" &&
         (words[1] == "SHM" || words[1] == "PPS" || words[1] == "SOCK" || words[1] == "PHC");
}

// The value after `option` on the line, if any.
std::string option_value(const std::vector<std::string>& words, std::string_view option) {
  const auto it = std::find(words.begin(), words.end(), option);
  return it != words.end() && it + 1 != words.end() ? *(it + 1) : std::string();
}

}  // namespace

bool is_chrony_line(const std::vector<std::string>& words) {
  if (words.empty()) return false;
  return is_chrony_refclock(words) ||
         std::find(kChronyOnly.begin(), kChronyOnly.end(), words[0]) != kChronyOnly.end();
}

std::vector<std::string> ntp_conf_equivalent(const std::vector<std::string>& words) {
  const std::string& name = words[0];
  const std::string* argument = words.size() >= 2 ? &words[1] : nullptr;
  if (is_chrony_refclock(words)) {
    const std::string refid = option_value(words, "refid");
    const std::string offset = option_value(words, "offset");  // ntpd's time1, same sign
    // NTPsec's refclock line takes both as options; ntpd's fudge line after the server line.
    std::string options;
    if (!offset.empty()) options += " time1 " + offset;
    if (!refid.empty()) options += " refid " + refid;
    std::string address;
    if (words[1] == "SHM" && words.size() >= 3) {
      address = "127.127.28." + words[2];
    } else if (words[1] == "PPS" && words.size() >= 3 && words[2].starts_with("/dev/pps")) {
      address = "127.127.22." + words[2].substr(8);
    } else if (words[1] == "PPS" && words.size() >= 3) {
      return {"refclock pps unit 0 path " + words[2] + options};
    } else {
      return {
          "# no equivalent: read the receiver through gpsd's SHM (server 127.127.28.0) or "
          "gpsd (server 127.127.46.0)"};
    }
    if (options.empty()) return {"server " + address};
    return {"server " + address, "fudge " + address + options};
  }
  if (name == "allow") {
    return {argument ? "restrict " + *argument + " nomodify nopeer" : "restrict default"};
  }
  if (name == "deny") {
    return {argument ? "restrict " + *argument + " ignore" : "restrict default ignore"};
  }
  if (name == "makestep" && argument) {
    return {"# and start with -g for a first correction of any size", "tinker step " + *argument};
  }
  if (name == "keyfile" && argument) return {"keys " + *argument};
  if (name == "logdir" && argument) return {"statsdir " + *argument};
  if (name == "log") return {"statistics loopstats peerstats clockstats"};
  if (name == "local") {
    return {"# no equivalent: stratumd holds over on the GPS-trained frequency (holdover SECONDS)"};
  }
  if (name == "leapsectz") return {"leapfile /usr/share/zoneinfo/leap-seconds.list"};
  if (name == "rtcsync") {
    return {"# none needed: the kernel keeps the RTC while the clock is synchronised"};
  }
  if (name == "ratelimit") {
    // chrony's interval is ntpd's average (both log2 seconds); chrony's default is 3.
    const std::string interval = option_value(words, "interval");
    return {"discard average " + (interval.empty() ? std::string("3") : interval),
            "# and 'limited' on the restrict lines of the clients it applies to"};
  }
  if (name == "bindaddress" && argument) return {"interface listen " + *argument};
  return {"# no equivalent; leave it out"};
}

}  // namespace stratumd
