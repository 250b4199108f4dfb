#include "firmware/ntp/system_process.hpp"

#include <algorithm>
#include <cmath>

namespace stratumd {
namespace {

// Network updates in a row that must agree with a reference clock marked a falseticker before
// the mark clears (about 20 s with three sources polling every 8 s).
constexpr int kAgreementsToClear = 8;
// A survivor steers when its offset is within this many of the noise (the residual of its
// samples about their trend, or the median source's) of the median source's; the noise is taken
// as at least kLeastAgreement.
constexpr double kAgreement = 4.0;
constexpr double kLeastAgreement = 10e-6;
constexpr std::chrono::seconds kFirstSteerWait{64};

}  // namespace

SystemProcess::SystemProcess(SystemSettings settings, Log log)
    : settings_(settings), log_(std::move(log)) {}

int SystemProcess::tally_of(std::uintptr_t id) const {
  const auto t = tally_.find(id);
  return t == tally_.end() ? tally::kRejected : t->second;
}

void SystemProcess::forget(std::uintptr_t id) {
  tally_.erase(id);
}

void SystemProcess::clock_stepped(Nanoseconds step) {
  if (steered_sample_) *steered_sample_ += step;
  agreements_in_a_row_ = 0;
  majority_offset_.reset();
}

bool SystemProcess::reference_sample() {
  if (reference_falseticker_) return false;  // the network majority says no
  if (network_.active) log_("the reference clock is back: it steers again");
  network_.active = false;
  return true;
}

void SystemProcess::announce(ClockSnapshot& snapshot) const {
  if (!network_.active) return;
  snapshot.reference_id = network_.reference_id;
  if (!snapshot.synchronised()) return;
  snapshot.stratum = static_cast<std::uint8_t>(std::min(network_.stratum + 1, 15));
  snapshot.root_delay = from_seconds(network_.root_delay);
  snapshot.root_dispersion += from_seconds(network_.root_dispersion);
}

std::optional<NetworkSteer> SystemProcess::update(const std::vector<NetworkCandidate>& network,
                                                  const ReferenceClockState& reference) {
  std::vector<Candidate> candidates;
  std::vector<const NetworkCandidate*> index;  // candidate -> association
  for (const NetworkCandidate& n : network) {
    if (!n.selectable || follows_us(n)) continue;
    Candidate c = n.candidate;
    c.lineage = lineage_of(n);
    candidates.push_back(c);
    index.push_back(&n);
  }
  const Selection selection = select_sources(candidates);
  tally_.clear();
  for (std::size_t k : selection.truechimers) tally_[index[k]->id] = tally::kOutlier;
  for (std::size_t k : selection.falsetickers) tally_[index[k]->id] = tally::kFalseticker;
  for (std::size_t k : selection.survivors) tally_[index[k]->id] = tally::kCandidate;

  judge_reference_clock(network, reference);
  // The reference clock holds the clock while it serves, while its samples arrive, and while it
  // is awaited at start: the network's majority alone never steps a clock the reference clock
  // is about to set (only a quorum that marks it a falseticker hands the clock over).
  const bool reference_holds =
      !network_.active && (reference.serving || reference.producing || reference.awaited);
  if (!selection.majority || selection.survivors.empty()) {
    majority_offset_.reset();
    return std::nullopt;
  }
  majority_offset_ = selection.offset;
  if (reference_holds && !reference_falseticker_) return std::nullopt;

  // The survivors whose samples steer: those that agree with the survivors' median within their
  // noise. Clustering stops at three survivors, and an interval wide enough to hold a server a
  // millisecond off is no reason to average its millisecond in.
  // Compared as lines at one time (each source's samples' trend), so that a clock running free at
  // a wrong frequency before it is set does not blur them.
  std::vector<const NetworkCandidate*> steering;
  {
    UtcTime common{};
    for (std::size_t k : selection.survivors) common = std::max(common, index[k]->trend_at);
    const auto at_common = [common](const NetworkCandidate& c) {
      return c.trend_offset + c.trend_slope * to_seconds(common - c.trend_at);
    };
    std::vector<const NetworkCandidate*> sorted;
    for (std::size_t k : selection.survivors) sorted.push_back(index[k]);
    std::sort(sorted.begin(), sorted.end(),
              [&](const NetworkCandidate* a, const NetworkCandidate* b) {
                return at_common(*a) < at_common(*b);
              });
    // The median source itself (of an even number, the better ranked of the middle two), so one
    // always steers: two servers a millisecond apart (paths of different asymmetry) are
    // followed as ntpd would, by the better one, not left both unused.
    const std::size_t n = sorted.size();
    const NetworkCandidate* middle = sorted[(n - 1) / 2];
    if (n % 2 == 0) {
      const auto rank = [&](const NetworkCandidate* c) {
        return std::find_if(selection.survivors.begin(), selection.survivors.end(),
                            [&](std::size_t k) { return index[k] == c; });
      };
      if (rank(sorted[n / 2]) < rank(middle)) middle = sorted[n / 2];
    }
    const double median = at_common(*middle);
    const double median_noise = middle->trend_residual;
    for (std::size_t k : selection.survivors) {
      const NetworkCandidate& c = *index[k];
      const double noise = std::max({c.trend_residual, median_noise, kLeastAgreement});
      if (c.candidate.truechimer || std::abs(at_common(c) - median) <= kAgreement * noise) {
        steering.push_back(&c);
      } else {
        tally_[c.id] = tally::kOutlier;
      }
    }
  }
  if (steering.empty()) return std::nullopt;
  // The network's first sample to steer comes from a majority of the sources that answered, not
  // from the first one or two whose filters filled while the others' still fill (for at most
  // kFirstSteerWait of the samples' own time).
  const auto heard = static_cast<std::size_t>(std::count_if(
      network.begin(), network.end(), [](const NetworkCandidate& n) { return n.heard; }));
  if (!steered_sample_ && 2 * steering.size() <= heard && selection.survivors.size() < heard) {
    UtcTime newest_sample{};
    for (const NetworkCandidate* c : steering) {
      if (c->latest) newest_sample = std::max(newest_sample, c->latest->when);
    }
    if (!first_steer_wait_) first_steer_wait_ = newest_sample;
    if (newest_sample - *first_steer_wait_ < kFirstSteerWait) return std::nullopt;
  }
  const NetworkCandidate& peer = *steering.front();
  tally_[peer.id] = tally::kSystemPeer;
  if (!network_.active)
    log_("following " + std::string(peer.role) + " " + std::string(peer.address));
  network_.active = true;
  network_.stratum = peer.candidate.stratum;
  network_.reference_id = peer.address_refid;
  network_.root_delay = peer.root_delay + peer.delay;
  network_.root_dispersion =
      peer.root_dispersion + peer.dispersion + std::max(selection.jitter, peer.jitter);
  // Each of their samples steers, once each and in the order they were taken.
  const NetworkCandidate* newest = nullptr;
  for (const NetworkCandidate* c : steering) {
    const NetworkCandidate& n = *c;
    if (!n.latest || (steered_sample_ && n.latest->when <= *steered_sample_)) continue;
    if (!newest || n.latest->when > newest->latest->when) newest = &n;
  }
  if (!newest) return std::nullopt;
  steered_sample_ = newest->latest->when;
  return NetworkSteer{newest->latest->offset, newest->latest->when, newest->latest_variance,
                      reference_falseticker_ && quorum_against_reference_};
}

bool SystemProcess::follows_us(const NetworkCandidate& n) const {
  return n.candidate.stratum > 1 && std::find(local_refids_.begin(), local_refids_.end(),
                                              n.announced_refid) != local_refids_.end();
}

// A stratum-1 server is its own witness; above, the refid names the upstream it follows.
std::uint32_t SystemProcess::lineage_of(const NetworkCandidate& n) {
  return n.candidate.stratum <= 1 ? n.address_refid : n.announced_refid;
}

void SystemProcess::judge_reference_clock(const std::vector<NetworkCandidate>& network,
                                          const ReferenceClockState& reference) {
  // Witnesses: the sources the operator configured, and hosts we have no line for only when they
  // authenticated with a trusted key (anyone else may be anyone), from their first sample: each
  // judged by its sample's own error bound, not by the dispersion of a filter still filling.
  std::vector<Candidate> witnesses;
  std::size_t heard = 0;
  for (const NetworkCandidate& n : network) {
    heard += n.heard;
    if (!n.heard || !n.witness || follows_us(n)) continue;
    Candidate c = n.candidate;
    c.lineage = lineage_of(n);
    c.root_distance = n.sample_distance;
    witnesses.push_back(c);
  }
  // The network has had its say at start once every source answered (or a quorum judged, below).
  if (!network.empty() && heard == network.size()) network_heard_ = true;
  if (!reference.recent_offset) return;  // nothing recent to judge (a stale verdict stays)
  Candidate clock;
  clock.offset = *reference.recent_offset;
  clock.root_distance = reference.sample_error;
  const SanityVerdict verdict = check_reference_clock(clock, witnesses, settings_.sanity_bound,
                                                      settings_.min_sane, reference.pulse_backed);
  quorum_against_reference_ = verdict.falseticker;
  if (verdict.checked) network_heard_ = true;
  const bool seconded = verdict.checked && verdict.seconded_by > 0;
  if (seconded && !seconded_said_) {
    log_("the network's majority (" + std::to_string(verdict.witnesses) +
         " independent sources) disagrees with the PPS-backed reference clock, but " +
         std::to_string(verdict.seconded_by) +
         " independent source(s) agree with it: the reference clock is kept, the majority is not "
         "followed");
  }
  seconded_said_ = seconded;
  if (verdict.falseticker && !reference_falseticker_) {
    // Which sample was judged: a PPS-backed one, or the receiver's time alone (at start, before
    // its sentences' delay is learnt, that is rightly outvoted by a network that agrees).
    log_(std::string("the reference clock (") +
         (reference.pulse_backed ? "PPS-backed" : "its NMEA time alone") + ") disagrees with " +
         std::to_string(verdict.witnesses) + " independent network sources by " +
         std::to_string(verdict.disagreement) + " s: marked a falseticker, not followed");
    reference_falseticker_ = true;
    agreements_in_a_row_ = 0;
    return;
  }
  if (!reference_falseticker_) return;
  // Marked, and no quorum contradicts it now. With a quorum that agrees, or (the quorum gone) when
  // it agrees with our clock, which the network has been steering: the disagreement is over once
  // it has held for kAgreementsToClear updates in a row (around a step of the clock the network's
  // filtered offsets and the reference's latest sample belong to different clocks for a while,
  // and a wrong reference clock must not steer in that moment). Otherwise the mark stays: a
  // source dropping out must not hand the clock back to a reference clock known to be wrong.
  const bool agrees_with_clock =
      std::abs(*reference.recent_offset) <= settings_.sanity_bound + reference.sample_error;
  const bool agrees = !verdict.falseticker && (verdict.checked || agrees_with_clock);
  agreements_in_a_row_ = agrees ? agreements_in_a_row_ + 1 : 0;
  if (agreements_in_a_row_ < kAgreementsToClear) return;
  agreements_in_a_row_ = 0;
  log_(verdict.checked
           ? "the reference clock agrees with the network again: no longer a falseticker"
           : "the reference clock agrees with the clock the network steered again: no longer a "
             "falseticker");
  reference_falseticker_ = false;
}

}  // namespace stratumd
