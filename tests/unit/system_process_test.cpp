// Who steers, on synthetic sources: the reference clock against the network, holdover and
// return, a GPS outvoted, prefer/true/noselect, a timing loop and a network-only appliance.
#include "firmware/ntp/system_process.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace stratumd {
namespace {

constexpr double kMs = 1e-3;

class SystemProcessTest : public ::testing::Test {
 protected:
  SystemProcess system{SystemSettings{0.1, 3},
                       [this](const std::string& line) { log.push_back(line); }};
  std::vector<std::string> log;
  std::int64_t clock_seconds = 1'000'000;

  // A configured stratum-1 server `id` (its own lineage) whose newest sample reads `offset`.
  NetworkCandidate server(std::uintptr_t id, double offset, int stratum = 1) {
    NetworkCandidate n;
    n.id = id;
    n.role = "upstream server";
    n.address = "192.0.2.x";
    n.selectable = true;
    n.heard = true;
    n.witness = true;
    n.candidate.offset = offset;
    n.candidate.root_distance = 2 * kMs;
    n.candidate.jitter = 0.1 * kMs;
    n.candidate.stratum = stratum;
    n.address_refid = 0xC0000200u + static_cast<std::uint32_t>(id);
    n.announced_refid = stratum == 1 ? 0x47505300u : 0x0A000000u + static_cast<std::uint32_t>(id);
    n.root_delay = 1 * kMs;
    n.root_dispersion = 0.5 * kMs;
    n.delay = 0.4 * kMs;
    n.dispersion = 0.2 * kMs;
    n.jitter = 0.1 * kMs;
    n.sample_distance = 1 * kMs;
    const UtcTime taken{std::chrono::seconds{clock_seconds}};
    n.latest = FilterSample{offset, n.delay, n.dispersion, taken};
    n.latest_variance = 1e-10;
    n.trend_offset = offset;
    n.trend_residual = n.jitter;
    n.trend_at = taken;
    return n;
  }
  std::vector<NetworkCandidate> three_servers(double offset) {
    return {server(1, offset), server(2, offset + 0.2 * kMs), server(3, offset - 0.2 * kMs)};
  }
  // Each poll brings newer samples.
  void next_poll(std::vector<NetworkCandidate>& network) {
    clock_seconds += 16;
    for (NetworkCandidate& n : network) {
      n.latest->when = n.trend_at = UtcTime{std::chrono::seconds{clock_seconds}};
      n.latest->offset = n.trend_offset = n.candidate.offset;
    }
  }
  static ReferenceClockState gps(double offset, bool serving = true) {
    ReferenceClockState r;
    r.serving = serving;
    r.producing = true;
    r.recent_offset = offset;
    r.sample_error = 10e-6;
    return r;
  }
  // A PPS-backed reference clock still locking: producing samples, not serving yet.
  static ReferenceClockState locking_pps(double offset) {
    ReferenceClockState r = gps(offset, false);
    r.pulse_backed = true;
    return r;
  }
};

TEST_F(SystemProcessTest, AServingGpsThatAgreesKeepsSteeringAndTheNetworkOnlyVotes) {
  auto network = three_servers(0.5 * kMs);
  EXPECT_FALSE(system.update(network, gps(0.0)).has_value());
  EXPECT_FALSE(system.network_steers());
  EXPECT_FALSE(system.reference_falseticker());
  ASSERT_TRUE(system.majority_offset().has_value());
  EXPECT_NEAR(*system.majority_offset(), 0.5 * kMs, 0.3 * kMs);
  // Truechimers, but none is the system peer: the GPS is.
  for (std::uintptr_t id : {1u, 2u, 3u}) EXPECT_NE(system.tally_of(id), tally::kSystemPeer);
  EXPECT_TRUE(system.reference_sample());
  ClockSnapshot snapshot;
  snapshot.stratum = 1;
  snapshot.leap = LeapIndicator::none;
  snapshot.reference_id = 0x47505300u;
  system.announce(snapshot);
  EXPECT_EQ(snapshot.stratum, 1);
  EXPECT_EQ(snapshot.reference_id, 0x47505300u);
}

TEST_F(SystemProcessTest, AGpsGoneBeyondHoldoverHandsOverToTheNetworkAndTakesBackOnItsReturn) {
  auto network = three_servers(2 * kMs);
  const std::optional<NetworkSteer> steer = system.update(network, ReferenceClockState{});
  ASSERT_TRUE(steer.has_value());
  EXPECT_NEAR(steer->offset, 2 * kMs, 0.3 * kMs);
  EXPECT_FALSE(steer->corroborated);  // no reference clock was outvoted: stepout applies
  EXPECT_TRUE(system.network_steers());
  EXPECT_EQ(log.back(), "following upstream server 192.0.2.x");
  int peers = 0;
  for (std::uintptr_t id : {1u, 2u, 3u}) peers += system.tally_of(id) == tally::kSystemPeer;
  EXPECT_EQ(peers, 1);

  // Served at the system peer's stratum + 1, with its root distance added to ours.
  ClockSnapshot snapshot;
  snapshot.stratum = 1;
  snapshot.leap = LeapIndicator::none;
  snapshot.root_dispersion = Nanoseconds{1000};
  system.announce(snapshot);
  EXPECT_EQ(snapshot.stratum, 2);
  EXPECT_EQ(snapshot.reference_id, system.network().reference_id);
  EXPECT_NEAR(to_seconds(snapshot.root_delay), 1.4 * kMs, 1e-9);
  EXPECT_GT(to_seconds(snapshot.root_dispersion), 0.7 * kMs);

  // While holding over on the network, the GPS's return does not wait for the network.
  EXPECT_TRUE(system.reference_sample());
  EXPECT_FALSE(system.network_steers());
  EXPECT_EQ(log.back(), "the reference clock is back: it steers again");
  next_poll(network);
  EXPECT_FALSE(system.update(network, gps(2 * kMs)).has_value());
  EXPECT_FALSE(system.network_steers());
}

TEST_F(SystemProcessTest, EverySurvivorsSamplesSteerOnceEachInTheOrderTaken) {
  auto network = three_servers(1 * kMs);
  const UtcTime t0 = network[0].latest->when;
  // Server 2 answered last, server 3 in between: the newest steers first, with its own variance.
  network[1].latest->when = t0 + std::chrono::seconds{4};
  network[1].latest_variance = 4e-10;
  network[2].latest->when = t0 + std::chrono::seconds{2};
  std::optional<NetworkSteer> steer = system.update(network, ReferenceClockState{});
  ASSERT_TRUE(steer.has_value());
  EXPECT_EQ(steer->taken, t0 + std::chrono::seconds{4});
  EXPECT_DOUBLE_EQ(steer->offset, network[1].candidate.offset);
  EXPECT_DOUBLE_EQ(steer->variance, 4e-10);
  // The others are older than what the clock took: never taken out of order, never twice.
  EXPECT_FALSE(system.update(network, ReferenceClockState{}).has_value());
  // Server 1 answers again: it steers, not the system peer alone.
  network[0].latest->when = t0 + std::chrono::seconds{16};
  steer = system.update(network, ReferenceClockState{});
  ASSERT_TRUE(steer.has_value());
  EXPECT_EQ(steer->taken, t0 + std::chrono::seconds{16});
  EXPECT_FALSE(system.update(network, ReferenceClockState{}).has_value());
  // A step moves the samples with the clock (the associations shift theirs): what was taken
  // stays taken, and the majority judged on the old clock is forgotten.
  system.clock_stepped(std::chrono::seconds{-1});
  EXPECT_FALSE(system.majority_offset().has_value());
  for (NetworkCandidate& n : network) n.latest->when -= std::chrono::seconds{1};
  EXPECT_FALSE(system.update(network, ReferenceClockState{}).has_value());
  network[2].latest->when = t0 + std::chrono::seconds{18} - std::chrono::seconds{1};
  steer = system.update(network, ReferenceClockState{});
  ASSERT_TRUE(steer.has_value());
  EXPECT_EQ(steer->taken, t0 + std::chrono::seconds{17});
}

// Three servers whose intervals overlap (clustering keeps three), one a millisecond off: it stays
// a survivor for the intervals' sake, but its samples never steer.
TEST_F(SystemProcessTest, ASurvivorThatDisagreesWithTheMedianBeyondItsNoiseDoesNotSteer) {
  std::vector<NetworkCandidate> network = {server(1, 0.0), server(2, 20e-6), server(3, 1 * kMs)};
  for (NetworkCandidate& n : network) {
    n.candidate.root_distance = 5 * kMs;  // wide: all three intersect
    n.trend_residual = 30e-6;
  }
  network[2].latest->when += std::chrono::seconds{1};  // the newest sample is the outlier's
  const std::optional<NetworkSteer> steer = system.update(network, ReferenceClockState{});
  ASSERT_TRUE(steer.has_value());
  EXPECT_NE(steer->offset, 1 * kMs);
  EXPECT_EQ(system.tally_of(3), tally::kOutlier);
  // Its next sample is not taken either; the others' are.
  network[2].latest->when += std::chrono::seconds{10};
  EXPECT_FALSE(system.update(network, ReferenceClockState{}).has_value());
  network[0].latest->when += std::chrono::seconds{12};
  ASSERT_TRUE(system.update(network, ReferenceClockState{}).has_value());
}

// Two servers a millisecond apart whose intervals overlap (paths of different asymmetry): the
// better ranked steers, as ntpd's system peer would; they are not both left unused.
TEST_F(SystemProcessTest, OfTwoServersThatDisagreeTheBetterRankedSteers) {
  std::vector<NetworkCandidate> network = {server(1, 0.0), server(2, 1 * kMs)};
  for (NetworkCandidate& n : network) {
    n.candidate.root_distance = 5 * kMs;
    n.trend_residual = 30e-6;
  }
  const std::optional<NetworkSteer> steer = system.update(network, ReferenceClockState{});
  ASSERT_TRUE(steer.has_value());
  const std::uintptr_t steering = system.tally_of(1) == tally::kSystemPeer ? 1 : 2;
  EXPECT_EQ(system.tally_of(steering == 1 ? 2 : 1), tally::kOutlier);
  EXPECT_DOUBLE_EQ(steer->offset, steering == 1 ? 0.0 : 1 * kMs);
}

// Before the network first steers, one source whose filter filled first does not set the clock
// alone while the others that answered have not caught up.
TEST_F(SystemProcessTest, TheNetworksFirstSteeringSampleNeedsAMajorityOfTheSourcesThatAnswered) {
  auto network = three_servers(0.0);
  network[1].selectable = network[2].selectable = false;  // answered, filters still filling
  EXPECT_FALSE(system.update(network, ReferenceClockState{}).has_value());
  network[1].selectable = true;
  next_poll(network);
  EXPECT_TRUE(system.update(network, ReferenceClockState{}).has_value());
  // A source that never fills its filter does not hold the first steer for long.
  SystemProcess fresh{SystemSettings{0.1, 3}, [](const std::string&) {}};
  network[1].selectable = false;
  EXPECT_FALSE(fresh.update(network, ReferenceClockState{}).has_value());
  for (int poll = 0; poll < 3; ++poll) {
    next_poll(network);
    EXPECT_FALSE(fresh.update(network, ReferenceClockState{}).has_value()) << poll;
  }
  next_poll(network);
  EXPECT_TRUE(fresh.update(network, ReferenceClockState{}).has_value());
  // Steering since: one survivor is enough.
  network[1].selectable = false;
  next_poll(network);
  EXPECT_TRUE(system.update(network, ReferenceClockState{}).has_value());
}

TEST_F(SystemProcessTest,
       AGpsOneSecondOffIsOutvotedByThreeIndependentServersAndStaysOutUntilItAgrees) {
  auto network = three_servers(0.0);
  const std::optional<NetworkSteer> steer = system.update(network, gps(1.0));
  EXPECT_TRUE(system.reference_falseticker());
  ASSERT_TRUE(steer.has_value());
  // The quorum that outvoted the reference clock stands behind the step: no stepout.
  EXPECT_TRUE(steer->corroborated);
  EXPECT_TRUE(system.network_steers());
  EXPECT_NE(log.front().find("marked a falseticker"), std::string::npos) << log.front();
  EXPECT_FALSE(system.reference_sample());  // its samples never steer while marked

  // Agreement must hold for several updates in a row before the mark clears.
  int updates = 0;
  while (system.reference_falseticker() && updates < 100) {
    next_poll(network);
    system.update(network, gps(0.0));
    ++updates;
  }
  EXPECT_FALSE(system.reference_falseticker());
  EXPECT_GT(updates, 1);
  EXPECT_TRUE(system.reference_sample());
  EXPECT_FALSE(system.network_steers());
}

TEST_F(SystemProcessTest, OneServerOrServersSharingAnUpstreamCannotOutvoteTheGps) {
  std::vector<NetworkCandidate> network{server(1, 0.0)};
  system.update(network, gps(1.0));
  EXPECT_FALSE(system.reference_falseticker());
  // Three stratum-2 servers following one upstream are one witness.
  network = {server(1, 0.0, 2), server(2, 0.0, 2), server(3, 0.0, 2)};
  for (NetworkCandidate& n : network) n.announced_refid = 0x0A000001u;
  system.update(network, gps(1.0));
  EXPECT_FALSE(system.reference_falseticker());
  // Hosts nobody configured that did not authenticate are no witnesses either.
  network = three_servers(0.0);
  for (NetworkCandidate& n : network) n.witness = false;
  system.update(network, gps(1.0));
  EXPECT_FALSE(system.reference_falseticker());
}

TEST_F(SystemProcessTest, ALockingReferenceClockIsNotSteppedAwayByTheNetworksMajorityAlone) {
  // Two servers lying +10 s and one honest: the majority lies, but it is no quorum of three.
  std::vector<NetworkCandidate> network{server(1, 10.0), server(2, 10.0 + 0.2 * kMs),
                                        server(3, 0.0)};
  EXPECT_FALSE(system.update(network, locking_pps(0.0)).has_value());
  EXPECT_FALSE(system.network_steers());
  EXPECT_FALSE(system.reference_falseticker());
  // Nor while it is awaited at start, before its first sample.
  ReferenceClockState awaited;
  awaited.awaited = true;
  SystemProcess fresh{SystemSettings{0.1, 3}, [](const std::string&) {}};
  EXPECT_FALSE(fresh.update(network, awaited).has_value());
  EXPECT_TRUE(fresh.network_heard());
  // Nothing configured, or the wait over: the network's majority steers.
  EXPECT_TRUE(fresh.update(network, ReferenceClockState{}).has_value());
}

TEST_F(SystemProcessTest,
       APpsSecondedByOneIndependentServerOutranksServersAgreeingOnlyWithEachOther) {
  // Three independent servers lie +10 s, one tells the truth, and the PPS agrees with it.
  std::vector<NetworkCandidate> network{server(1, 10.0), server(2, 10.0 + 0.2 * kMs),
                                        server(3, 10.0 - 0.2 * kMs), server(4, 0.1 * kMs)};
  EXPECT_FALSE(system.update(network, locking_pps(0.0)).has_value());
  EXPECT_FALSE(system.reference_falseticker());
  EXPECT_NE(log.back().find("1 independent source(s) agree with it"), std::string::npos)
      << log.back();
  // Without its one witness it is outvoted: a quorum against a receiver alone wins.
  network.pop_back();
  next_poll(network);
  EXPECT_TRUE(system.update(network, locking_pps(0.0)).has_value());
  EXPECT_TRUE(system.reference_falseticker());
  // NMEA-only time (no pulse) is outvoted by the quorum even when one server agrees with it.
  SystemProcess nmea{SystemSettings{0.1, 3}, [](const std::string&) {}};
  network.push_back(server(4, 0.1 * kMs));
  EXPECT_TRUE(nmea.update(network, gps(0.0, false)).has_value());
  EXPECT_TRUE(nmea.reference_falseticker());
}

TEST_F(SystemProcessTest, TheReferenceClockIsJudgedByItsOwnErrorNotByTheDispersionWeServe) {
  // The receiver +1 s: its sample error is milliseconds, whatever the served dispersion has grown
  // to while the clock waited for stepout.
  auto network = three_servers(0.0);
  ReferenceClockState nmea = gps(1.0);
  nmea.sample_error = 5e-3;
  system.update(network, nmea);
  EXPECT_TRUE(system.reference_falseticker());
}

TEST_F(SystemProcessTest, ThreeServersTellAWrongSecondFromTheirFirstSamples) {
  // One sample each: the filters' empty stages keep them unselectable for several polls, but
  // each sample's own error bound is a millisecond.
  auto network = three_servers(0.0);
  for (NetworkCandidate& n : network) {
    n.selectable = false;
    n.candidate.root_distance = 8.0;
  }
  EXPECT_FALSE(system.network_heard());
  ReferenceClockState nmea = gps(1.0, false);
  nmea.sample_error = 5e-3;
  system.update(network, nmea);
  EXPECT_TRUE(system.network_heard());
  EXPECT_TRUE(system.reference_falseticker());
}

TEST_F(SystemProcessTest, PreferPicksTheSystemPeerAndNoselectNeverSteers) {
  auto network = three_servers(1 * kMs);
  network[2].candidate.prefer = true;
  system.update(network, ReferenceClockState{});
  EXPECT_EQ(system.tally_of(3), tally::kSystemPeer);

  system.forget(3);
  network = three_servers(1 * kMs);
  for (NetworkCandidate& n : network) n.selectable = false;  // `noselect` on every line
  EXPECT_FALSE(system.update(network, ReferenceClockState{}).has_value());
  for (std::uintptr_t id : {1u, 2u, 3u}) EXPECT_EQ(system.tally_of(id), tally::kRejected);
}

TEST_F(SystemProcessTest, ATrueSourceSurvivesWhereItWouldBeAFalseticker) {
  std::vector<NetworkCandidate> network = three_servers(0.0);
  network.push_back(server(4, 0.5));
  system.update(network, ReferenceClockState{});
  EXPECT_EQ(system.tally_of(4), tally::kFalseticker);
  network[3].candidate.truechimer = true;
  next_poll(network);
  system.update(network, ReferenceClockState{});
  EXPECT_NE(system.tally_of(4), tally::kFalseticker);
}

TEST_F(SystemProcessTest, ASourceFollowingUsIsNeverSelected) {
  auto network = three_servers(0.0);
  for (NetworkCandidate& n : network) {
    n.candidate.stratum = 2;
    n.announced_refid = 0x7F000001u;
  }
  system.set_local_refids({0x7F000001u});
  EXPECT_FALSE(system.update(network, ReferenceClockState{}).has_value());
  EXPECT_FALSE(system.network_steers());
}

TEST_F(SystemProcessTest, ANetworkOnlyApplianceFollowsAndLosesItsMajority) {
  auto network = three_servers(3 * kMs);
  EXPECT_TRUE(system.update(network, ReferenceClockState{}).has_value());
  EXPECT_TRUE(system.network_steers());
  EXPECT_TRUE(system.majority_offset().has_value());
  // The sources disagree: no majority, nothing steers, nothing numbers a PPS.
  network = {server(1, 0.0), server(2, 0.5)};
  EXPECT_FALSE(system.update(network, ReferenceClockState{}).has_value());
  EXPECT_FALSE(system.majority_offset().has_value());
  system.network_silent();
  EXPECT_FALSE(system.majority_offset().has_value());
  // Unsynchronised, the refid still names the source followed; the stratum stays 16.
  ClockSnapshot snapshot;
  system.announce(snapshot);
  EXPECT_EQ(snapshot.stratum, 16);
  EXPECT_EQ(snapshot.reference_id, system.network().reference_id);
}

}  // namespace
}  // namespace stratumd
