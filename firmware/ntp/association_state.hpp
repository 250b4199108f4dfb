// What every association with another NTP host has in common — client/server upstreams,
// symmetric peers, broadcast clients — as the system process (selection) and ntpq see it: the
// clock filter's output, reach, poll, the source's system variables, and the packets refused,
// counted by reason (RFC 5905's packet tests, as ntpd's `flash` bits show them). Also what every
// association's state machine needs from the daemon (AssociationCore) and the packet helpers
// they share. Pure: no sockets, no timers, no clock reads.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>

#include "firmware/net/ip_address.hpp"
#include "firmware/ntp/association_line.hpp"
#include "firmware/ntp/clock_filter.hpp"
#include "firmware/ntp/delay_floor.hpp"
#include "firmware/ntp/on_wire.hpp"
#include "firmware/ntp/packet_mac.hpp"
#include "firmware/ntp/poll_adapter.hpp"
#include "firmware/ntp/source_selection.hpp"
#include "firmware/ntp/symmetric_key.hpp"
#include "firmware/util/random_source.hpp"

namespace stratumd {

// ntpd's peer flash bits (the last packet's failed tests), shown by `ntpq -c rv ASSOC`.
namespace flash_bit {
inline constexpr std::uint16_t duplicate = 0x0001;
inline constexpr std::uint16_t bogus = 0x0002;
inline constexpr std::uint16_t invalid = 0x0004;  // no origin yet, zero transmit
inline constexpr std::uint16_t access = 0x0008;   // a DENY/RSTR kiss
inline constexpr std::uint16_t auth = 0x0010;
inline constexpr std::uint16_t unsynchronised = 0x0020;
inline constexpr std::uint16_t header = 0x0040;  // malformed, wrong mode, other kisses
inline constexpr std::uint16_t distance = 0x0400;
}  // namespace flash_bit

std::uint16_t flash_for(ReplyVerdict verdict);

struct RefusedPackets {
  std::uint64_t duplicate = 0;     // replays: the transmit time seen before
  std::uint64_t bogus_origin = 0;  // not an answer to our last packet
  std::uint64_t bad_auth = 0;      // missing, unknown-key, wrong-key or wrong-digest MACs
  std::uint64_t other = 0;         // malformed, unsynchronised, kisses, too far

  std::uint64_t total() const { return duplicate + bogus_origin + bad_auth + other; }
};

// ntpq's host modes: 3 client, 1 symmetric active, 2 symmetric passive, 6 broadcast client.
inline constexpr int kHostModeClient = 3;
inline constexpr int kHostModeActive = 1;
inline constexpr int kHostModePassive = 2;
inline constexpr int kHostModeBroadcastClient = 6;

struct UpstreamStatus {
  IpAddress source;     // the server, peer or broadcaster
  std::string address;  // the same, as text for logs and ntpq
  int host_mode = kHostModeClient;
  std::uint8_t reach = 0;
  int poll_log2 = 6;
  int peer_poll_log2 = 6;
  int stratum = 16;
  std::uint32_t reference_id = 0;
  std::optional<FilterOutput> filtered;  // the last sample the filter chose
  // The newest sample, whichever the filter chose (cleared when the clock is stepped), and the
  // variance of its offset, from its delay above the path's least: what the servo weighs it by.
  std::optional<FilterSample> latest;
  double latest_variance = 0.0;
  DelayFloor delay_floor;
  double root_delay = 0.0;
  double root_dispersion = 0.0;
  bool stopped = false;  // a DENY or RSTR kiss: no more polling
  std::uint32_t key_id = 0;
  std::uint16_t flash = 0;  // the last refused packet's tests
  std::uint64_t sent = 0, received = 0;
  RefusedPackets refused;

  // Root distance as RFC 5905 defines it: the source's worth as a candidate.
  double root_distance() const;
  // The chosen sample's own error bound: the root distance without the dispersion the filter's
  // stages add (large while the filter is still filling). 16 s without a sample.
  double sample_distance() const;
  // It answered with a sample (synchronised, not stopped), however few.
  bool answered() const;
  // Answered, and close enough to be a candidate.
  bool usable() const;
  Candidate candidate() const;
  void count_refused(ReplyVerdict verdict);
};

// What every association's state machine needs from the daemon; shared by all of them.
struct AssociationCore {
  std::int8_t precision;
  std::function<const AuthSettings&()> keys;  // the keys and trusted IDs in force (reloadable)
  MacEngine& mac;
  RandomSource& random;  // transmit nonces, poll spread
  std::function<void(const std::string&)> log;
  // `enable auth` (the default): hosts we have no line for must authenticate with a trusted key.
  bool auth_required = true;
};

// What a state machine asks its runner (drivers/net/association_runner.hpp) to do after an
// event. The runner owns the socket and the timer; the machine owns everything else.
struct AssociationActions {
  // A packet to send now, in the machine's own buffer; empty: nothing to send.
  std::span<const std::uint8_t> send;
  // Call on_timer this long from now; none: no timer (the machine stopped or waits for packets).
  std::optional<std::chrono::nanoseconds> timer;
  // Call on_interval this long from now: a second schedule, for the machines that have one (the
  // broadcast client's reach register, beside its volley's timer).
  std::optional<std::chrono::nanoseconds> interval;
  bool updated = false;  // a new filtered sample, or a source lost: selection reruns
};

// The local clock was stepped by `step`: the association's samples move with it.
void shift_samples(UpstreamStatus& status, ClockFilter& filter, Nanoseconds step);

// A reload gave an association `next` for its line `config`, in place: the key shown in
// `status` and the poll's bounds follow it; samples and reach stay. True when the key changed
// (what was said of the old key may be said again of the new one).
bool take_line(const AssociationLine& next, AssociationLine& config, UpstreamStatus& status,
               PollAdapter& poll);

// The key an association with `key N` signs with, when the keys file has it and it is trusted.
const SymmetricKey* association_key(const AssociationCore& context, std::uint32_t id);

// The bytes of a packet we send: `header` serialised into `out` and, with `key_id`, our MAC after
// it. The length, or 0 when the key is not a trusted key of the keys file (nothing to send).
inline constexpr std::size_t kMaxSentPacket = kNtpHeaderSize + 4 + 20;
std::size_t serialize_packet(const AssociationCore& context, const NtpHeader& header,
                             std::optional<std::uint32_t> key_id,
                             std::span<std::uint8_t, kMaxSentPacket> out);

// A client-mode request; its transmit timestamp is a random value (the caller reads T1 as it
// sends, for ClientOnWire::sent).
NtpHeader client_request(const AssociationCore& context, int version, int poll);

// A sample that passed the on-wire tests: the source's variables and reach taken from it, then
// through the clock filter into `status.filtered`.
FilterOutput record_sample(const AssociationCore& context, UpstreamStatus& status,
                           ClockFilter& filter, const OnWireSample& sample, UtcTime when);

}  // namespace stratumd
