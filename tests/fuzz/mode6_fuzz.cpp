// ntpq's control protocol (mode 6): any request gets well-formed fragments no larger than the
// protocol allows, or nothing; any MRU list request text is parsed and answered within the
// fragment budget it asked for.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "firmware/control/control_variables.hpp"
#include "firmware/control/mode6.hpp"
#include "firmware/control/mru_list.hpp"

using namespace stratumd;

namespace {

ControlVariables variables() {
  ControlVariables v;
  v.system_status = 0x0114;
  v.system_variables.assign(
      "version=\"stratumd 0.1.0\", processor=\"x86_64\", system=\"Linux\", leap=00, stratum=1, "
      "precision=-24, rootdelay=0.000, rootdisp=0.123, refid=PPS, "
      "reftime=0xec7f1a2b.12345678, clock=0xec7f1a2c.00000000, peer=1, tc=4, mintc=3, "
      "offset=+0.000123, frequency=-12.345, sys_jitter=0.000456, clk_jitter=0.000321, "
      "clk_wander=0.001");
  v.association_count = 2;
  v.associations[0].id = 1;
  v.associations[0].peer_status = peer_status_word(true, 7);
  v.associations[0].variables.assign(
      "srcadr=127.127.22.0, srcport=123, srchost=\"PPS(0)\", stratum=0, refid=PPS, reach=377");
  v.associations[0].clock_variables.assign("name=\"PPS(0)\", timecode=\"\", poll=4");
  v.associations[1].id = 2;
  v.associations[1].peer_status = peer_status_word(false, 4);
  v.associations[1].variables.assign("srcadr=192.0.2.1, srcport=123, stratum=2, refid=GPS");
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const ControlVariables vars = variables();
  std::size_t fragments = 0;
  mode6_respond(std::span(data, size), vars, [&](std::span<const std::uint8_t> fragment) {
    ++fragments;
    if (fragment.size() > kMode6HeaderSize + kMode6MaxData || fragment.size() % 4 != 0) {
      __builtin_trap();
    }
    if ((fragment[0] & 0x7) != 6 || !(fragment[1] & 0x80)) __builtin_trap();  // a response
  });
  // A 12-byte request may not be turned into an unbounded stream of fragments.
  if (fragments > 8) __builtin_trap();

  static const std::vector<MonitorEntry> entries = [] {
    std::vector<MonitorEntry> out(40);
    for (std::size_t i = 0; i < out.size(); ++i) {
      out[i].address =
          (i % 2 ? *IpAddress::parse("2001:db8::7") : IpAddress::v4(0x0A000000u + i)).bytes;
      out[i].family = i % 2 ? IpFamily::v6 : IpFamily::v4;
      out[i].address[15] = static_cast<std::uint8_t>(i);
      out[i].last = NtpTimestamp{static_cast<std::uint32_t>(1000 + i), 0};
      out[i].count = static_cast<std::uint32_t>(i);
      out[i].used = true;
    }
    return out;
  }();
  MruRequest request;
  if (parse_mru_request(std::string_view(reinterpret_cast<const char*>(data), size), request) ==
      MruParse::ok) {
    static std::array<char, kMruMaxFragments * kMode6MaxData> text;
    const MruReply reply =
        write_mru_reply(request, entries, NtpTimestamp{2000, 0}, "nonce=00", text);
    const std::size_t allowed =
        (request.fragments ? std::min(request.fragments, kMruMaxFragments) : kMruMaxFragments) *
        kMode6MaxData;
    if (reply.length > std::max<std::size_t>(allowed, kMode6MaxData)) __builtin_trap();
  }
  return 0;
}
