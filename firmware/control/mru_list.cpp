#include "firmware/control/mru_list.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <tuple>

#include "firmware/control/mode6.hpp"

namespace stratumd {
namespace {

// Decimal or 0x-hex, whole text, no sign.
template <typename T>
bool parse_number(std::string_view text, T& out) {
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    text.remove_prefix(2);
    base = 16;
  }
  if (text.empty()) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out, base);
  return ec == std::errc{} && end == text.data() + text.size();
}

// ntpd's l_fp text: "0xSSSSSSSS.FFFFFFFF".
bool parse_timestamp(std::string_view text, NtpTimestamp& out) {
  if (text.size() < 3 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X')) return false;
  text.remove_prefix(2);
  const std::size_t dot = text.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot > 8 || text.size() - dot - 1 > 8 ||
      text.size() == dot + 1)
    return false;
  std::uint32_t seconds = 0, fraction = 0;
  const std::string_view s = text.substr(0, dot), f = text.substr(dot + 1);
  auto r1 = std::from_chars(s.data(), s.data() + s.size(), seconds, 16);
  auto r2 = std::from_chars(f.data(), f.data() + f.size(), fraction, 16);
  if (r1.ec != std::errc{} || r1.ptr != s.data() + s.size() || r2.ec != std::errc{} ||
      r2.ptr != f.data() + f.size())
    return false;
  out = NtpTimestamp{seconds, fraction};
  return true;
}

// "a.b.c.d:port" or "[v6]:port".
bool parse_endpoint(std::string_view text, IpAddress& address, std::uint16_t& port) {
  std::string_view host;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return false;
    host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
  } else {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return false;
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
  }
  const std::optional<IpAddress> parsed = IpAddress::parse(host);
  if (!parsed || !parse_number(port_text, port)) return false;
  address = *parsed;
  return true;
}

// `name` is "stem.N" with N a decimal index below 16: N, or -1.
int prior_index(std::string_view name, std::string_view stem) {
  if (name.size() <= stem.size() + 1 || name.substr(0, stem.size()) != stem ||
      name[stem.size()] != '.')
    return -1;
  int index = 0;
  if (!parse_number(name.substr(stem.size() + 1), index) || index < 0 || index >= 16) return -1;
  return index;
}

std::uint64_t nonce_tag(const SipKey& key, const IpAddress& asker, std::uint32_t seconds) {
  std::array<std::uint8_t, 21> message{};
  message[0] = static_cast<std::uint8_t>(asker.family);
  std::copy(asker.bytes.begin(), asker.bytes.end(), message.begin() + 1);
  for (int i = 0; i < 4; ++i) message[17 + i] = static_cast<std::uint8_t>(seconds >> (8 * i));
  return siphash24(key, message);
}

// Appends to a fixed buffer; `fits` false once something did not fit (nothing partial is kept
// by the caller, who checks before committing).
class Text {
 public:
  explicit Text(std::span<char> out) : out_(out) {}
  template <typename... Args>
  void printf(const char* format, Args... args) {
    if (length_ >= out_.size()) {
      fits_ = false;
      return;
    }
    const int n = std::snprintf(out_.data() + length_, out_.size() - length_, format, args...);
    if (n < 0 || static_cast<std::size_t>(n) >= out_.size() - length_) {
      fits_ = false;
      length_ = out_.size();
      return;
    }
    length_ += static_cast<std::size_t>(n);
  }
  void append(std::string_view s) {
    if (s.size() > out_.size() - std::min(length_, out_.size())) {
      fits_ = false;
      length_ = out_.size();
      return;
    }
    std::copy(s.begin(), s.end(), out_.begin() + static_cast<std::ptrdiff_t>(length_));
    length_ += s.size();
  }
  std::size_t length() const { return length_; }
  bool fits() const { return fits_; }
  void truncate(std::size_t length) {
    length_ = length;
    fits_ = true;
  }

 private:
  std::span<char> out_;
  std::size_t length_ = 0;
  bool fits_ = true;
};

void write_endpoint(Text& text, const std::array<std::uint8_t, 16>& bytes, IpFamily family,
                    std::uint16_t port) {
  char host[INET6_ADDRSTRLEN] = {};
  ::inet_ntop(family == IpFamily::v4 ? AF_INET : AF_INET6, bytes.data(), host, sizeof host);
  if (family == IpFamily::v4) {
    text.printf("%s:%u", host, static_cast<unsigned>(port));
  } else {
    text.printf("[%s]:%u", host, static_cast<unsigned>(port));
  }
}

void write_timestamp(Text& text, const char* name, NtpTimestamp t) {
  text.printf("%s=0x%08x.%08x", name, static_cast<unsigned>(t.seconds()),
              static_cast<unsigned>(t.fraction()));
}

}  // namespace

MruParse parse_mru_request(std::string_view data, MruRequest& out) {
  out = MruRequest{};
  std::array<bool, 16> have_address{}, have_last{};
  std::size_t pos = 0;
  while (pos < data.size()) {
    std::size_t comma = data.find(',', pos);
    if (comma == std::string_view::npos) comma = data.size();
    const std::string_view item = mode6_detail::trim(data.substr(pos, comma - pos));
    pos = comma + 1;
    if (item.empty()) continue;
    const std::size_t equals = item.find('=');
    if (equals == std::string_view::npos) return MruParse::bad_format;
    const std::string_view name = mode6_detail::trim(item.substr(0, equals));
    const std::string_view value = mode6_detail::trim(item.substr(equals + 1));
    bool ok = true;
    if (name == "nonce") {
      out.nonce = value;
    } else if (name == "frags") {
      ok = parse_number(value, out.fragments);
    } else if (name == "limit") {
      ok = parse_number(value, out.rows);
    } else if (name == "mincount") {
      ok = parse_number(value, out.min_count);
    } else if (name == "mindrop") {
      ok = parse_number(value, out.min_drops);
    } else if (name == "resall") {
      ok = parse_number(value, out.all_marks);
    } else if (name == "resany") {
      ok = parse_number(value, out.any_mark);
    } else if (name == "maxlstint") {
      ok = parse_number(value, out.max_idle_s);
    } else if (name == "minlstint") {
      ok = parse_number(value, out.min_idle_s);
    } else if (name == "recent") {
      ok = parse_number(value, out.recent);
    } else if (const int a = prior_index(name, "addr"); a >= 0) {
      MruPrior& p = out.priors[static_cast<std::size_t>(a)];
      ok = parse_endpoint(value, p.address, p.port);
      have_address[static_cast<std::size_t>(a)] = true;
    } else if (const int l = prior_index(name, "last"); l >= 0) {
      ok = parse_timestamp(value, out.priors[static_cast<std::size_t>(l)].last);
      have_last[static_cast<std::size_t>(l)] = true;
    } else {
      // laddr (the local address a client used) and minscore are not kept by this monitor:
      // refused rather than ignored, which would answer a different question.
      ok = false;
    }
    if (!ok) return MruParse::bad_format;
  }
  // Priors come in pairs numbered from 0.
  while (out.prior_count < 16 && have_address[out.prior_count] && have_last[out.prior_count]) {
    ++out.prior_count;
  }
  for (std::size_t i = out.prior_count; i < 16; ++i) {
    if (have_address[i] || have_last[i]) return MruParse::bad_format;
  }
  return out.nonce.empty() ? MruParse::no_nonce : MruParse::ok;
}

std::size_t write_mru_nonce(const SipKey& key, const IpAddress& asker, std::uint32_t seconds,
                            std::span<char> out) {
  Text text(out);
  text.printf("nonce=%08x%016llx", static_cast<unsigned>(seconds),
              static_cast<unsigned long long>(nonce_tag(key, asker, seconds)));
  return text.fits() ? text.length() : 0;
}

bool mru_nonce_valid(const SipKey& key, const IpAddress& asker, std::uint32_t now_seconds,
                     std::string_view value) {
  if (value.size() != 24) return false;
  std::uint32_t seconds = 0;
  std::uint64_t tag = 0;
  const char* begin = value.data();
  auto r1 = std::from_chars(begin, begin + 8, seconds, 16);
  auto r2 = std::from_chars(begin + 8, begin + 24, tag, 16);
  if (r1.ec != std::errc{} || r1.ptr != begin + 8 || r2.ec != std::errc{} || r2.ptr != begin + 24)
    return false;
  if (now_seconds - seconds >= kMruNonceLifetimeS) return false;  // unsigned: future ones too
  return tag == nonce_tag(key, asker, seconds);
}

std::size_t merge_oldest_first(std::span<MonitorEntry> entries) {
  const auto same_client = [](const MonitorEntry& a, const MonitorEntry& b) {
    return a.family == b.family && a.address == b.address;
  };
  std::sort(entries.begin(), entries.end(), [](const MonitorEntry& a, const MonitorEntry& b) {
    return std::tie(a.family, a.address) < std::tie(b.family, b.address);
  });
  std::size_t kept = 0;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (kept > 0 && same_client(entries[kept - 1], entries[i])) {
      MonitorEntry& into = entries[kept - 1];
      const MonitorEntry& e = entries[i];
      if (heard_before(e.first, into.first)) into.first = e.first;
      if (heard_before(into.last, e.last)) {
        into.last = e.last;
        into.port = e.port;
        into.mode_version = e.mode_version;
      }
      into.count += e.count;
      into.drops += e.drops;
      into.marks |= e.marks;
    } else {
      entries[kept++] = entries[i];
    }
  }
  std::sort(entries.begin(), entries.begin() + static_cast<std::ptrdiff_t>(kept),
            [](const MonitorEntry& a, const MonitorEntry& b) {
              if (a.last != b.last) return heard_before(a.last, b.last);
              return std::tie(a.family, a.address) < std::tie(b.family, b.address);
            });
  return kept;
}

MruReply write_mru_reply(const MruRequest& request, std::span<const MonitorEntry> entries,
                         NtpTimestamp now, std::string_view fresh_nonce, std::span<char> out) {
  // Where to start: after the newest entry the asker already holds that is unchanged here.
  std::size_t start = 0;
  const MonitorEntry* older = nullptr;
  if (request.prior_count > 0) {
    for (std::size_t p = 0; p < request.prior_count && !older; ++p) {
      const MruPrior& prior = request.priors[p];
      for (std::size_t i = 0; i < entries.size(); ++i) {
        if (entries[i].ip() == prior.address && entries[i].last == prior.last) {
          older = &entries[i];
          start = i + 1;
          break;
        }
      }
    }
    // None left as the asker saw it: ntpd's UNKNOWNVAR, upon which ntpq starts over.
    if (!older) return {kControlErrorUnknownVariable, 0};
  } else if (request.recent > 0 && request.recent < entries.size()) {
    start = entries.size() - request.recent;
  }

  const std::size_t fragments = std::clamp<std::size_t>(
      request.fragments ? request.fragments : kMruMaxFragments, 1, kMruMaxFragments);
  const std::size_t budget = std::min(out.size(), fragments * kMode6MaxData);
  Text text(out.first(budget));
  text.append(fresh_nonce);
  if (older) {
    text.append(", ");
    write_timestamp(text, "last.older", older->last);
    text.append(", addr.older=");
    write_endpoint(text, older->address, older->family, older->port);
  }
  // Room kept for the closing "now" and "last.newest".
  constexpr std::size_t kClosing = 64;
  std::size_t row = 0;
  const MonitorEntry* newest = nullptr;
  std::size_t i = start;
  for (; i < entries.size(); ++i) {
    const MonitorEntry& e = entries[i];
    const std::uint32_t idle_s = now.seconds() - e.last.seconds();  // whole seconds, as ntpd
    if (e.count < request.min_count || e.drops < request.min_drops) continue;
    if (request.all_marks && (e.marks & request.all_marks) != request.all_marks) continue;
    if (request.any_mark && !(e.marks & request.any_mark)) continue;
    if (request.max_idle_s && idle_s > request.max_idle_s) continue;
    if (request.min_idle_s && idle_s < request.min_idle_s) continue;
    if (request.rows && row >= request.rows) break;
    const std::size_t mark = text.length();
    text.printf(", addr.%zu=", row);
    write_endpoint(text, e.address, e.family, e.port);
    char name[16];
    std::snprintf(name, sizeof name, ", last.%zu", row);
    write_timestamp(text, name, e.last);
    std::snprintf(name, sizeof name, ", first.%zu", row);
    write_timestamp(text, name, e.first);
    text.printf(", ct.%zu=%u, mv.%zu=%u, rs.%zu=0x%x, dr.%zu=%u", row,
                static_cast<unsigned>(e.count), row, static_cast<unsigned>(e.mode_version), row,
                static_cast<unsigned>(e.marks), row, static_cast<unsigned>(e.drops));
    if (!text.fits() || text.length() + kClosing > budget) {
      text.truncate(mark);
      break;
    }
    newest = &e;
    ++row;
  }
  if (i == entries.size()) {
    text.append(", ");
    write_timestamp(text, "now", now);
    if (newest) {
      text.append(", ");
      write_timestamp(text, "last.newest", newest->last);
    }
  }
  return {0, text.length()};
}

}  // namespace stratumd
