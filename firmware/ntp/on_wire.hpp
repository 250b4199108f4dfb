// RFC 5905's on-wire protocols, one object per association: client/server (the request's transmit
// stamp is remembered, and a reply is used only when it passes the packet tests — not a duplicate
// (a replay), answering our last request (origin check), carrying a transmit time, from a
// synchronised server within the maximum distance — and kiss codes are told apart: RATE backs
// off, DENY and RSTR stop), symmetric active/passive (each side echoes the other's last transmit
// and its arrival time) and broadcast client (one-way: the calibrated delay stands in for the
// return trip). Pure: timestamps in, a sample or a reason out.
#pragma once

#include <cstdint>
#include <optional>

#include "firmware/ntp/ntp_packet.hpp"
#include "firmware/time/time_types.hpp"

namespace stratumd {

enum class ReplyVerdict : std::uint8_t {
  sample,          // a valid sample
  duplicate,       // the same transmit time as the last reply: a replay
  bogus_origin,    // not an answer to our last request (spoofed, stale or misrouted)
  zero_transmit,   // no transmit time
  unsynchronised,  // leap 3 or stratum above 15: no time to take
  too_far,         // root distance beyond 16 s
  kiss_rate,       // slow down
  kiss_deny,       // stop: access denied
  kiss_restricted,
  kiss_other,
  not_server,  // not a server-mode reply
  wrong_mode,  // a symmetric association got a packet of another mode
  no_origin,   // a peer that has not heard from us yet: its state is kept, no sample
  bad_auth,    // (set by the association) a MAC missing, unknown, untrusted or wrong
  malformed,   // (set by the association) not a parsable NTP packet
};

const char* to_string(ReplyVerdict verdict);

struct OnWireSample {
  double offset = 0.0;      // s: theta = ((T2 - T1) + (T3 - T4)) / 2
  double delay = 0.0;       // s: delta = (T4 - T1) - (T3 - T2), at least the precision
  double dispersion = 0.0;  // s: epsilon = precisions + phi * (T4 - T1)
  double root_delay = 0.0;
  double root_dispersion = 0.0;
  int stratum = 16;
  std::uint32_t reference_id = 0;
  LeapIndicator leap = LeapIndicator::none;
};

class ClientOnWire {
 public:
  // Records a request about to be sent: the transmit timestamp it carries (a random value, as
  // chrony and ntpd-rs send, so the wire shows nothing of our clock and a reply must echo what
  // only the server saw) and T1, when it left on our clock.
  void sent(NtpTimestamp transmit, UtcTime t1) {
    last_sent_ = transmit;
    last_sent_at_ = t1;
  }

  // A reply received at `t4` (our clock), from a server whose precision is in the header.
  ReplyVerdict receive(const NtpHeader& reply, UtcTime t4, std::int8_t our_precision,
                       OnWireSample& sample);
  // Our clock was stepped by `step` while a request may be in flight: T1 moves with the clock,
  // so the reply measures the new clock (T1 on the old one and T4 on the new would put half the
  // step into the offset, with a delay that looks better than any before).
  void clock_stepped(Nanoseconds step) { last_sent_at_ += step; }

 private:
  std::optional<NtpTimestamp> last_sent_;
  UtcTime last_sent_at_{};
  std::optional<NtpTimestamp> last_transmit_seen_;
};

}  // namespace stratumd

namespace stratumd {

// Modes 1 and 2: the packets of both peers carry origin = the other's last transmit time and
// receive = when that arrived, so each side measures from the other's traffic alone.
class SymmetricOnWire {
 public:
  // Fills origin and receive of our next packet and records its transmit time.
  void prepare(NtpHeader& packet, NtpTimestamp transmit);
  ReplyVerdict receive(const NtpHeader& packet, UtcTime t4, std::int8_t our_precision,
                       OnWireSample& sample);
  // Our clock was stepped: the peer's next packet echoes a transmit time of the old clock, so
  // that exchange gives no sample (the one after it does).
  void clock_stepped() { our_last_transmit_.reset(); }

 private:
  std::optional<NtpTimestamp> our_last_transmit_;
  NtpTimestamp peer_transmit_;  // their last transmit time, echoed as our origin
  NtpTimestamp peer_arrival_;   // when it reached us, echoed as our receive time
};

// Mode 5 received: only T3 and T4 exist, so the offset is T3 - T4 plus the one-way delay: half
// the round trip a client exchange with the broadcaster measured (or `broadcastdelay`). Transmit
// times must increase: a broadcast no newer than the newest seen is a replay (ntpd's fix for
// CVE-2015-7973), even when older ones came in between.
class BroadcastOnWire {
 public:
  ReplyVerdict receive(const NtpHeader& packet, UtcTime t4, std::int8_t our_precision,
                       double one_way_delay, OnWireSample& sample);

 private:
  std::optional<UtcTime> newest_transmit_;
};

}  // namespace stratumd
