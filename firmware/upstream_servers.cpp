#include "firmware/upstream_servers.hpp"

#include <algorithm>

#include "firmware/ntp/source_selection.hpp"
#include "firmware/util/big_endian.hpp"

namespace stratumd {
namespace {

// ntpq's tally codes (the peer status word's selection field).
constexpr int kFalseticker = 1;
constexpr int kOutlier = 3;
constexpr int kCandidate = 4;
constexpr int kSystemPeer = 6;

}  // namespace

UpstreamServers::UpstreamServers(EventLoop& loop, const Clock& clock, const DaemonConfig& config,
                                 std::int8_t precision, Hooks hooks)
    : sanity_bound_(config.sanity_bound), hooks_(std::move(hooks)) {
  for (const AssociationLine& line : config.associations) {
    if (line.kind != AssociationLine::Kind::server) continue;
    const auto address = IpAddress::parse(line.addresses.front());
    if (!address) continue;  // host names: not yet (the parser said so)
    try {
      associations_.push_back(std::make_unique<UpstreamAssociation>(
          loop, clock, line, *address, 123, precision, [this] { update(); }, hooks_.log));
      associations_.back()->start();
    } catch (const std::exception& e) {
      hooks_.log(std::string("warning: ") + e.what());
    }
  }
  tally_.assign(associations_.size(), 0);
}

void UpstreamServers::reference_returned() {
  if (network_.active) hooks_.log("the reference clock is back: it steers again");
  network_.active = false;
}

void UpstreamServers::update() {
  std::vector<Candidate> candidates;
  std::vector<std::size_t> index;  // candidate -> association
  for (std::size_t i = 0; i < associations_.size(); ++i) {
    if (associations_[i]->status().usable()) {
      candidates.push_back(associations_[i]->status().candidate());
      index.push_back(i);
    }
  }
  const Selection selection = select_sources(candidates);
  tally_.assign(associations_.size(), 0);
  for (std::size_t k : selection.truechimers) tally_[index[k]] = kOutlier;
  for (std::size_t k : selection.falsetickers) tally_[index[k]] = kFalseticker;
  for (std::size_t k : selection.survivors) tally_[index[k]] = kCandidate;

  const bool reference_serving = !network_.active && hooks_.reference_serving();
  if (reference_serving && selection.majority) {
    // Our clock follows the reference clock, so its offset against it is about zero.
    Candidate reference;
    reference.root_distance = hooks_.reference_root_distance();
    const SanityVerdict verdict = check_reference_clock(reference, candidates, sanity_bound_);
    if (verdict.falseticker && !reference_falseticker_) {
      hooks_.log("the reference clock disagrees with the network majority by " +
                 std::to_string(verdict.disagreement) + " s: marked a falseticker, not followed");
      reference_falseticker_ = true;
    }
  }
  if (!selection.majority || selection.survivors.empty()) return;
  if (reference_serving && !reference_falseticker_) return;

  const std::size_t peer_index = index[selection.survivors.front()];
  tally_[peer_index] = kSystemPeer;
  const UpstreamStatus& peer = associations_[peer_index]->status();
  if (!network_.active) hooks_.log("following upstream server " + peer.address);
  network_.active = true;
  network_.stratum = peer.stratum;
  const auto address = IpAddress::parse(peer.address);
  network_.reference_id =
      address && address->family == IpFamily::v4
          ? load_be32(std::span<const std::uint8_t, 4>(address->bytes.data(), 4))
          : make_refid("IPv6");
  network_.root_delay = peer.root_delay + peer.filtered->chosen.delay;
  network_.root_dispersion = peer.root_dispersion + peer.filtered->dispersion +
                             std::max(selection.jitter, peer.filtered->jitter);
  hooks_.steer(selection.offset);
}

std::vector<UpstreamReport> UpstreamServers::reports() const {
  std::vector<UpstreamReport> out;
  for (std::size_t i = 0; i < associations_.size(); ++i) {
    const UpstreamStatus& st = associations_[i]->status();
    UpstreamReport r;
    r.address = st.address;
    r.stratum = st.stratum;
    r.reference_id = st.reference_id;
    r.reach = st.reach;
    r.poll_log2 = st.poll_log2;
    if (st.filtered) {
      r.offset = st.filtered->chosen.offset;
      r.delay = st.filtered->chosen.delay;
      r.dispersion = st.filtered->dispersion;
      r.jitter = st.filtered->jitter;
      r.last_sample = st.filtered->chosen.when;
    }
    r.selection = tally_[i];
    out.push_back(r);
  }
  return out;
}

}  // namespace stratumd
