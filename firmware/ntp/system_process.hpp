// Who steers the clock: the one place that decides between the reference clock (GPS, PPS) and the
// network's system peer, and what clients are told while either steers. Pure: the associations
// and the reference clock are described to it, it answers with the tallies, the offset to steer
// by and the announced stratum, refid and root distance.
//
// The rules, as ntpd's with a reference clock of stratum 0: the reference clock steers while it
// is serving (locked, or holding over), while its samples arrive (locking), or while it is awaited
// at start, unless a quorum of independent network sources contradicts it (the sanity check,
// source_selection.hpp). Otherwise the system peer of RFC 5905's selection over the network
// steers, and clients see its stratum + 1. The reference clock takes over again with its next
// sample once it is no longer marked a falseticker. docs/associations.md has the table.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "firmware/clock/clock_snapshot.hpp"
#include "firmware/ntp/clock_filter.hpp"
#include "firmware/ntp/source_selection.hpp"
#include "firmware/time/time_types.hpp"

namespace stratumd {

// ntpq's tally codes (the peer status word's selection field).
namespace tally {
inline constexpr int kRejected = 0;
inline constexpr int kFalseticker = 1;
inline constexpr int kOutlier = 3;
inline constexpr int kCandidate = 4;
inline constexpr int kSystemPeer = 6;
}  // namespace tally

// One network association as the system process sees it.
struct NetworkCandidate {
  std::uintptr_t id = 0;  // stable while the association lives
  std::string_view role;  // "upstream server", "peer", "broadcast server": for the log
  std::string_view address;
  bool selectable = false;  // reachable with a filtered sample, and not `noselect`
  // It answered with a sample (synchronised, not stopped), however few: a witness from then on.
  bool heard = false;
  // Configured by the operator, or a host we have no line for that authenticated with a trusted
  // key: only these may outvote the reference clock.
  bool witness = false;
  Candidate candidate;  // offset, root distance, jitter, stratum, prefer, true (lineage is ours)
  std::uint32_t address_refid = 0;    // the source's address as a refid
  std::uint32_t announced_refid = 0;  // the refid the source announces
  double root_delay = 0.0;            // s, as the source announces them
  double root_dispersion = 0.0;
  double delay = 0.0;  // s, of the sample its filter chose
  double dispersion = 0.0;
  double jitter = 0.0;
  // s: the chosen sample's own error bound (half its round trip and the source's, its root
  // dispersion, the filter's jitter), without the dispersion a filter that is not full yet adds
  // for its empty stages: what the reference clock is judged against, so that three servers that
  // agree to a millisecond can tell a wrong second from their first samples.
  double sample_distance = 0.0;
  // The newest sample, whichever the filter chose, and its own error variance (s^2, from its
  // delay above the path's least): what steers the clock while the source is a survivor.
  std::optional<FilterSample> latest;
  double latest_variance = 0.0;
  // Its samples as a line (ClockFilter's trend): offset at `trend_at`, slope, residual RMS.
  double trend_offset = 0.0;
  double trend_slope = 0.0;
  double trend_residual = 0.0;
  UtcTime trend_at{};
};

// The reference clock as the system process needs it.
struct ReferenceClockState {
  bool serving = false;  // configured, and the discipline is locked or holding over on it
  // Its samples are arriving (locking counts: a clock on its way to a lock is not overruled by
  // the network's majority alone).
  bool producing = false;
  // Configured but not heard yet, within the wait the first step gives it at start.
  bool awaited = false;
  bool pulse_backed = false;  // its seconds are a PPS's edges, not a sentence's arrival
  // Its latest sample's offset (s) against our clock, taken or refused, while recent.
  std::optional<double> recent_offset;
  // s: the error of that sample itself (its servo's jitter, the sentence's noise), never the
  // dispersion we serve, which grows with the very disagreement the check must see.
  double sample_error = 0.0;
};

// What clients are told while the network steers.
struct NetworkSource {
  bool active = false;
  int stratum = 16;
  std::uint32_t reference_id = 0;  // the system peer's address
  double root_delay = 0.0;
  double root_dispersion = 0.0;
};

// What the network asks of the clock: one survivor's new sample (its offset, when it was taken,
// its error variance), and whether a quorum stands behind it against a reference clock it has
// outvoted (then a step needs no stepout: it is corroborated).
struct NetworkSteer {
  double offset = 0.0;  // s
  UtcTime taken{};      // on the clock the offset was measured against
  double variance = 0.0;
  bool corroborated = false;
};

struct SystemSettings {
  double sanity_bound = 0.0;  // s: how far the reference clock may sit outside the majority
  std::size_t min_sane = 0;   // independent lineages needed to judge it
};

class SystemProcess {
 public:
  using Log = std::function<void(const std::string&)>;

  SystemProcess(SystemSettings settings, Log log);

  // Reruns the selection over the network after a new sample or a source lost. While the
  // network steers, returns the newest sample of any survivor the clock has not taken yet (never
  // a sample twice, never one older than the last taken): every survivor's samples steer, each
  // weighted by its own error, so the servo combines the servers rather than following one.
  std::optional<NetworkSteer> update(const std::vector<NetworkCandidate>& network,
                                     const ReferenceClockState& reference);
  // A reference clock sample arrived: whether it may steer. Hands the clock back from the
  // network unless the reference clock is marked a falseticker.
  bool reference_sample();
  // The clock was stepped by `step`: the judgements on the old clock are forgotten; the samples
  // already taken stay taken (their times move with the clock).
  void clock_stepped(Nanoseconds step);
  // Every network source went quiet: no majority remains.
  void network_silent() { majority_offset_.reset(); }
  // An association ended: its tally goes, and it can no longer be the one whose sample steered.
  void forget(std::uintptr_t id);
  // This host's addresses as refids: a source announcing one of them follows us (a timing loop).
  void set_local_refids(std::vector<std::uint32_t> refids) { local_refids_ = std::move(refids); }

  // Over what the discipline filled in: the network's refid, stratum and root distance while the
  // network steers.
  void announce(ClockSnapshot& snapshot) const;

  const NetworkSource& network() const { return network_; }
  bool network_steers() const { return network_.active; }
  bool reference_falseticker() const { return reference_falseticker_; }
  // Our clock's offset (s) from the network's majority at the last selection, while one exists.
  std::optional<double> majority_offset() const { return majority_offset_; }
  // Since start, a quorum of witnesses judged the reference clock, or every source answered:
  // the network has had its say.
  bool network_heard() const { return network_heard_; }
  int tally_of(std::uintptr_t id) const;

 private:
  void judge_reference_clock(const std::vector<NetworkCandidate>& network,
                             const ReferenceClockState& reference);
  bool follows_us(const NetworkCandidate& n) const;
  static std::uint32_t lineage_of(const NetworkCandidate& n);

  SystemSettings settings_;
  Log log_;
  std::vector<std::uint32_t> local_refids_;
  std::map<std::uintptr_t, int> tally_;
  NetworkSource network_;
  std::optional<double> majority_offset_;
  std::optional<UtcTime> steered_sample_;    // when the last sample that steered was taken
  std::optional<UtcTime> first_steer_wait_;  // since when the first steer waits for a majority
  bool reference_falseticker_ = false;
  bool quorum_against_reference_ = false;  // the last verdict that marked it had a quorum
  bool network_heard_ = false;
  bool seconded_said_ = false;
  int agreements_in_a_row_ = 0;  // updates in a row where a marked reference clock agreed
};

}  // namespace stratumd
