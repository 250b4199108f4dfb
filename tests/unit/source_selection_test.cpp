// RFC 5905's selection, clustering and combining, and the GPS sanity check, on synthetic sources.
#include "firmware/ntp/source_selection.hpp"
#include "firmware/ntp/reference_id.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace stratumd {
namespace {

Candidate source(double offset, double distance, double jitter = 1e-4, int stratum = 2) {
  return Candidate{offset, distance, jitter, stratum, false};
}

TEST(SourceSelection, AGpsOffByOneSecondIsAFalsetickerAndTheMajorityWins) {
  std::vector<Candidate> all{source(1.0, 1e-5, 1e-6, 1)};  // the GPS: one second off
  for (double offset : {-0.002, 0.001, 0.0005, 0.003, -0.001}) all.push_back(source(offset, 0.01));
  const Selection s = select_sources(all);
  ASSERT_TRUE(s.majority);
  EXPECT_EQ(s.falsetickers, (std::vector<std::size_t>{0}));
  EXPECT_EQ(s.truechimers.size(), 5u);
  EXPECT_NEAR(s.offset, 0.0, 0.003);
  EXPECT_LE(*s.low, 0.0);
  EXPECT_GE(*s.high, 0.0);
}

TEST(SourceSelection, TwoSourcesThatDisagreeGiveNoMajority) {
  // As ntpd: with two disjoint intervals no majority exists, so nothing is selected.
  const Selection s = select_sources({source(0.0, 0.01), source(1.0, 0.01)});
  EXPECT_FALSE(s.majority);
  EXPECT_TRUE(s.truechimers.empty());
  EXPECT_EQ(s.falsetickers.size(), 2u);
  EXPECT_TRUE(s.survivors.empty());
}

TEST(SourceSelection, OfThreeTheOneThatDisagreesIsOut) {
  const Selection s = select_sources({source(0.0, 0.01), source(0.5, 0.01), source(0.004, 0.01)});
  ASSERT_TRUE(s.majority);
  EXPECT_EQ(s.falsetickers, (std::vector<std::size_t>{1}));
  EXPECT_EQ(s.truechimers, (std::vector<std::size_t>{0, 2}));
}

TEST(SourceSelection, OverlappingSourcesAreAllTruechimersAndCombinedByDistance) {
  const Selection s = select_sources({source(0.010, 0.02), source(0.012, 0.01), source(0.0, 0.05)});
  ASSERT_TRUE(s.majority);
  EXPECT_EQ(s.truechimers.size(), 3u);
  EXPECT_TRUE(s.falsetickers.empty());
  // Weights 50, 100, 20: (0.5 + 1.2 + 0) / 170.
  EXPECT_NEAR(s.offset, (0.010 * 50 + 0.012 * 100) / 170.0, 1e-12);
}

TEST(SourceSelection, ClusteringDropsTheOutlierButKeepsAtLeastThree) {
  std::vector<Candidate> all;
  for (double offset : {0.0, 0.0001, -0.0001, 0.0002, 0.03})
    all.push_back(source(offset, 0.05, 1e-5));
  const Selection s = select_sources(all);
  ASSERT_TRUE(s.majority);
  EXPECT_EQ(s.truechimers.size(), 5u);  // all intervals overlap...
  EXPECT_EQ(s.survivors.size(), 3u);    // ...but clustering prunes to the tight core
  for (std::size_t i : s.survivors) EXPECT_NE(i, 4u);
  EXPECT_NEAR(s.offset, 0.0, 2e-4);
}

TEST(SourceSelection, APreferredOrLowerStratumSourceIsTheSystemPeer) {
  std::vector<Candidate> all{source(0.0, 0.01, 1e-4, 3), source(0.001, 0.02, 1e-4, 2),
                             source(0.002, 0.005, 1e-4, 3)};
  Selection s = select_sources(all);
  ASSERT_FALSE(s.survivors.empty());
  EXPECT_EQ(s.survivors.front(), 1u);  // stratum 2 beats stratum 3
  all[2].prefer = true;
  s = select_sources(all);
  EXPECT_EQ(s.survivors.front(), 2u);
}

Candidate witness(double offset, double distance, std::uint32_t lineage) {
  Candidate c = source(offset, distance);
  c.lineage = lineage;
  return c;
}

TEST(GpsSanityCheck, AReferenceClockAQuorumContradictsIsAFalseticker) {
  const std::vector<Candidate> network{witness(0.002, 0.02, 1), witness(-0.001, 0.03, 2),
                                       witness(0.0, 0.025, 3)};
  SanityVerdict v = check_reference_clock(source(1.0, 1e-5, 1e-6, 0), network, 0.1, 3);
  EXPECT_TRUE(v.checked);
  EXPECT_TRUE(v.falseticker);
  EXPECT_EQ(v.witnesses, 3u);
  EXPECT_GT(v.disagreement, 0.8);
  v = check_reference_clock(source(-1.0, 1e-5, 1e-6, 0), network, 0.1, 3);
  EXPECT_TRUE(v.falseticker);
  // Within the network's interval widened by the bound: fine.
  v = check_reference_clock(source(0.05, 1e-5, 1e-6, 0), network, 0.1, 3);
  EXPECT_TRUE(v.checked);
  EXPECT_FALSE(v.falseticker);
  // Nothing to check against: no verdict.
  EXPECT_FALSE(check_reference_clock(source(1.0, 1e-5), {}, 0.1, 3).checked);
  EXPECT_FALSE(check_reference_clock(source(1.0, 1e-5),
                                     {witness(0.0, 0.01, 1), witness(0.5, 0.01, 2)}, 0.1, 2)
                   .checked);
}

// The attack that took the time over: one host (or several that follow the same upstream) claims
// a time far from the GPS. It is the whole network majority, but no quorum.
TEST(GpsSanityCheck, OneSourceOrOneLineageNeverOutvotesTheReferenceClock) {
  const Candidate gps = source(0.0, 1e-5, 1e-6, 0);
  const std::vector<Candidate> one_rogue{witness(10.0, 0.001, 7)};
  for (std::size_t quorum : {0u, 1u, 2u, 3u}) {
    const SanityVerdict v = check_reference_clock(gps, one_rogue, 0.1, quorum);
    EXPECT_FALSE(v.checked) << quorum;
    EXPECT_FALSE(v.falseticker) << quorum;
  }
  const std::vector<Candidate> one_lineage{witness(10.0, 0.001, 7), witness(10.0005, 0.001, 7),
                                           witness(9.9995, 0.001, 7)};
  EXPECT_FALSE(check_reference_clock(gps, one_lineage, 0.1, 3).falseticker);
  // Two independent rogues fall short of the default quorum of three, but meet a quorum of two.
  const std::vector<Candidate> two{witness(10.0, 0.001, 7), witness(10.0005, 0.001, 8)};
  EXPECT_FALSE(check_reference_clock(gps, two, 0.1, 3).falseticker);
  EXPECT_TRUE(check_reference_clock(gps, two, 0.1, 2).falseticker);
}

TEST(SourceSelection, TrueSurvivesSelectionAndClusteringWhateverItSays) {
  std::vector<Candidate> all{source(0.0, 0.01), source(0.001, 0.01), source(0.5, 0.01)};
  all[2].truechimer = true;
  Selection s = select_sources(all);
  ASSERT_TRUE(s.majority);
  EXPECT_TRUE(s.falsetickers.empty());
  EXPECT_EQ(s.truechimers.size(), 3u);
  // Without the flag it is the falseticker.
  all[2].truechimer = false;
  s = select_sources(all);
  EXPECT_EQ(s.falsetickers, (std::vector<std::size_t>{2}));
  // Two disagreeing sources: no majority, unless one is declared true.
  std::vector<Candidate> two{source(0.0, 0.01), source(1.0, 0.01)};
  two[1].truechimer = true;
  s = select_sources(two);
  ASSERT_TRUE(s.majority);
  EXPECT_EQ(s.falsetickers, (std::vector<std::size_t>{0}));
  ASSERT_FALSE(s.survivors.empty());
  EXPECT_EQ(s.survivors.front(), 1u);
  // Clustering never prunes a `true` source, even the farthest of many.
  std::vector<Candidate> many;
  for (double offset : {0.0, 0.0001, -0.0001, 0.0002, -0.0002})
    many.push_back(source(offset, 0.05, 1e-6));
  many.push_back(source(0.03, 0.05, 1e-6));
  many.back().truechimer = true;
  s = select_sources(many);
  EXPECT_NE(std::find(s.survivors.begin(), s.survivors.end(), 5u), s.survivors.end());
}

TEST(SourceSelection, APreferredSurvivorIsTheSystemPeer) {
  std::vector<Candidate> all{source(0.0, 0.01, 1e-4, 1), source(0.001, 0.02, 1e-4, 3),
                             source(0.0005, 0.01, 1e-4, 2)};
  Selection s = select_sources(all);
  ASSERT_FALSE(s.survivors.empty());
  EXPECT_EQ(s.survivors.front(), 0u) << "without prefer: the lowest stratum";
  all[1].prefer = true;
  s = select_sources(all);
  EXPECT_EQ(s.survivors.front(), 1u);
  // A preferred falseticker is still a falseticker.
  all[1].offset = 0.5;
  s = select_sources(all);
  EXPECT_EQ(s.falsetickers, (std::vector<std::size_t>{1}));
  EXPECT_EQ(s.survivors.front(), 0u);
}

TEST(ReferenceId, Ipv4IsTheAddressIpv6TheFirstOctetsOfItsMd5) {
  EXPECT_EQ(reference_id_for(*IpAddress::parse("192.0.2.7")), 0xC0000207u);
  // Python: hashlib.md5(ipaddress.IPv6Address(a).packed).hexdigest()[:8]
  EXPECT_EQ(reference_id_for(*IpAddress::parse("::1")), 0xcf404dc8u);
  EXPECT_EQ(reference_id_for(*IpAddress::parse("2001:db8::1")), 0x39ab9b37u);
}

}  // namespace
}  // namespace stratumd
