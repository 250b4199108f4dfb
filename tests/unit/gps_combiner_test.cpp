// A simulated receiver end to end through the pure refclock path: PPS edges with 1 us jitter and
// NMEA sentences sent over a simulated 9600-baud UART 150 ms after each second, read in chunks
// with read latency, as a serial driver would see them. No real time passes.
#include "refclock/gps_combiner.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "firmware/clock/sim_clock.hpp"
#include "refclock/gps_week_rollover.hpp"
#include "tests/unit/nmea_test_sentences.hpp"

namespace stratumd {
namespace {

using namespace std::chrono;

const UtcTime kStart{sys_days{2026y / November / 25} + 12h};

std::string checksummed(const std::string& body) {
  return testing::nmea_sentence(body, "\r\n");
}

class ReceiverSimulation {
 public:
  explicit ReceiverSimulation(sys_days base = sys_days{2020y / January / 1},
                              int rollover_weeks_back = 0)
      : clock_(kStart, 40ms, OscillatorParams{.frequency_error_ppm = 12.0}),
        nmea_(NmeaRefclockConfig{base, 0, 0ms, true},
              [this](const NmeaLabel& l) { combiner_.on_label(l); }),
        combiner_(CombinerConfig{}, &nmea_,
                  [this](const ReferenceSample& s) { samples_.push_back(s); }),
        uart_(9600, [this](const NmeaLine& line) { nmea_.on_line(line); }),
        rollover_days_(rollover_weeks_back * 7) {}

  // One second of receiver output: the edge (if PPS is on), then RMC+GGA after `delay`.
  void second(bool pps, Nanoseconds delay = 150ms, std::int64_t label_error_s = 0) {
    clock_.advance(1s - (clock_.true_time().time_since_epoch() % 1s));
    const UtcTime edge_true = clock_.true_time();
    if (pps) combiner_.on_edge({clock_.now() + from_seconds(1e-6 * unit_(rng_))});
    const auto sentence_time = edge_true + seconds{label_error_s} - days{rollover_days_};
    const auto day = floor<days>(sentence_time);
    const year_month_day ymd{day};
    const hh_mm_ss hms{floor<seconds>(sentence_time - day)};
    char hhmmss[16], ddmmyy[16];
    std::snprintf(hhmmss, sizeof hhmmss, "%02ld%02ld%02ld.00", long(hms.hours().count()),
                  long(hms.minutes().count()), long(hms.seconds().count()));
    std::snprintf(ddmmyy, sizeof ddmmyy, "%02u%02u%02d", unsigned(ymd.day()), unsigned(ymd.month()),
                  int(ymd.year()) % 100);
    const std::string bytes = checksummed(std::string("GPRMC,") + hhmmss +
                                          ",A,4404.13,N,12118.85,W,0.0,," + ddmmyy + ",,,A") +
                              checksummed(std::string("GPGGA,") + hhmmss +
                                          ",4404.13,N,12118.85,W,1,09,0.9,100.0,M,0.0,M,,");
    // The UART: one byte every 10/9600 s, starting `delay` (+-2 ms of receiver jitter) after the
    // edge; the driver reads 8-byte chunks, 50-300 us after their last byte (the next bytes are
    // already on the wire by then, which the simplification of advancing the clock ignores).
    clock_.advance(delay + from_seconds(0.002 * unit_(rng_)));
    if (bursty_) {
      // A USB receiver: the whole second at once, cut at random points into reads 1 ms apart.
      std::size_t from = 0;
      while (from < bytes.size()) {
        const std::size_t n = std::min<std::size_t>(
            bytes.size() - from, 1 + static_cast<std::size_t>(uniform_(rng_) * 80));
        clock_.advance(microseconds{50});
        uart_.feed(std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()) + from, n),
                   clock_.now());
        from += n;
        clock_.advance(1ms);
      }
      return;
    }
    const Nanoseconds byte_time = uart_.byte_time();
    for (std::size_t i = 0; i < bytes.size(); i += 8) {
      const std::size_t n = std::min<std::size_t>(8, bytes.size() - i);
      clock_.advance(byte_time * static_cast<std::int64_t>(n));
      const Nanoseconds latency = microseconds{50 + static_cast<int>(250 * uniform_(rng_))};
      clock_.advance(latency);
      uart_.feed(std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()) + i, n),
                 clock_.now());
    }
  }

  SimClock clock_;
  NmeaRefclock nmea_;
  GpsCombiner combiner_;
  NmeaLineAssembler uart_;
  int rollover_days_;
  bool bursty_ = false;
  std::vector<ReferenceSample> samples_;
  std::mt19937_64 rng_{3};
  std::normal_distribution<double> unit_{0.0, 1.0};
  std::uniform_real_distribution<double> uniform_{0.0, 1.0};
};

TEST(GpsCombiner, PpsSamplesAreLabelledAndExact) {
  ReceiverSimulation sim;
  for (int i = 0; i < 30; ++i) sim.second(true);
  ASSERT_GE(sim.samples_.size(), 28u);
  for (const ReferenceSample& s : sim.samples_) {
    EXPECT_EQ(s.kind, SampleKind::pps);
    EXPECT_EQ(s.reference_id, make_refid("PPS"));
    // The offset the sample reports is the clock's true error at the edge, to the edge jitter.
    EXPECT_EQ(s.sample.reference.time_since_epoch() % 1s, 0s);
  }
  const ReferenceSample& last = sim.samples_.back();
  const double true_error = to_seconds(sim.clock_.time_error());
  EXPECT_NEAR(to_seconds(last.sample.offset()), -true_error, 1e-4);
}

TEST(GpsCombiner, LearnsTheNmeaDelayWithinAMillisecond) {
  ReceiverSimulation sim;
  for (int i = 0; i < 120; ++i) sim.second(true, 150ms);
  const auto rmc = sim.nmea_.calibrator().estimate(NmeaType::rmc);
  ASSERT_TRUE(rmc);
  // The '$' of RMC starts 150 ms after the edge; the UART backdating recovers it from the reads.
  EXPECT_NEAR(to_seconds(rmc->mean), 0.150, 0.001);
  EXPECT_LT(to_seconds(rmc->spread), 0.005);
}

TEST(GpsCombiner, NmeaOnlyFallbackUsesTheLearntDelay) {
  ReceiverSimulation sim;
  for (int i = 0; i < 120; ++i) sim.second(true, 150ms);
  sim.samples_.clear();
  for (int i = 0; i < 20; ++i) sim.second(false, 150ms);  // PPS cable pulled
  ASSERT_GE(sim.samples_.size(), 15u);
  int nmea_only = 0;
  for (const ReferenceSample& s : sim.samples_) {
    if (s.kind != SampleKind::nmea_only) continue;
    ++nmea_only;
    EXPECT_EQ(s.reference_id, make_refid("GPS"));
  }
  EXPECT_GE(nmea_only, 15);
  // Without any discipline the clock's true error is known: the NMEA-only sample sees it to
  // within a few ms (serial jitter), not 150 ms off as an uncorrected sentence would.
  const double true_error = to_seconds(sim.clock_.time_error());
  EXPECT_NEAR(to_seconds(sim.samples_.back().sample.offset()), -true_error, 0.005);
}

// The bursty USB receiver with PPS: the edges still number the seconds exactly, the learnt delay
// (stamped at the read once the bursts are recognised) is steady, and when PPS goes the NMEA-only
// samples stay within a few milliseconds.
TEST(GpsCombiner, BurstDeliveryWithPpsAndAfter) {
  ReceiverSimulation sim;
  sim.bursty_ = true;
  for (int i = 0; i < 120; ++i) sim.second(true, 150ms);
  EXPECT_EQ(sim.uart_.stamp_model(), StampModel::at_read);
  EXPECT_EQ(sim.combiner_.labeler_counters().mismatched, 0u);
  ASSERT_GE(sim.samples_.size(), 110u);
  EXPECT_NEAR(to_seconds(sim.samples_.back().sample.offset()), -to_seconds(sim.clock_.time_error()),
              1e-4);
  const auto rmc = sim.nmea_.calibrator().estimate(NmeaType::rmc);
  ASSERT_TRUE(rmc);
  EXPECT_LT(to_seconds(rmc->spread), 0.005);  // the receiver's own 2 ms jitter
  sim.samples_.clear();
  for (int i = 0; i < 20; ++i) sim.second(false, 150ms);
  ASSERT_GE(sim.samples_.size(), 15u);
  EXPECT_EQ(sim.samples_.back().kind, SampleKind::nmea_only);
  EXPECT_NEAR(to_seconds(sim.samples_.back().sample.offset()), -to_seconds(sim.clock_.time_error()),
              0.005);
}

TEST(GpsCombiner, WithoutLearntDelayTheConfiguredOneIsUsed) {
  ReceiverSimulation sim;
  for (int i = 0; i < 5; ++i) sim.second(false, 150ms);
  ASSERT_FALSE(sim.samples_.empty());
  // time2 = 0 here: the sample is 150 ms off, as ntpd would be without its fudge.
  const double true_error = to_seconds(sim.clock_.time_error());
  EXPECT_NEAR(to_seconds(sim.samples_.back().sample.offset()), -true_error - 0.150, 0.005);
}

TEST(GpsCombiner, ALabelThatNamesTheWrongSecondIsRejected) {
  ReceiverSimulation sim;
  for (int i = 0; i < 10; ++i) sim.second(true);
  const std::size_t before = sim.samples_.size();
  sim.second(true, 150ms, +1);  // the receiver names the next second
  EXPECT_EQ(sim.samples_.size(), before);
  // Off the running count of seconds: held back before it could label an edge.
  EXPECT_GE(sim.nmea_.counters().unconfirmed, 1u);
  for (const ReferenceSample& s : sim.samples_) {
    EXPECT_EQ(s.sample.reference.time_since_epoch() % 1s, 0s);
    EXPECT_NEAR(to_seconds(s.sample.offset()), -to_seconds(sim.clock_.time_error()), 0.01);
  }
}

TEST(GpsCombiner, RolloverAffectedDatesAreCorrected) {
  // A receiver with the 2019 bug reports dates 1024 weeks back; the base date is after them.
  ReceiverSimulation sim(sys_days{2026y / January / 1}, 1024);
  for (int i = 0; i < 10; ++i) sim.second(true);
  ASSERT_FALSE(sim.samples_.empty());
  EXPECT_NEAR(to_seconds(sim.samples_.back().sample.offset()), -to_seconds(sim.clock_.time_error()),
              1e-3);
  EXPECT_GE(sim.nmea_.times().counters().rollover_corrected, 1u);
}

TEST(GpsCombiner, AnEdgeStampedBeforeAStepIsNeverLabelledAfterIt) {
  std::vector<ReferenceSample> samples;
  GpsCombiner combiner(CombinerConfig{}, nullptr,
                       [&](const ReferenceSample& s) { samples.push_back(s); });
  const std::int64_t second = 1'800'000'000;
  const UtcTime edge{seconds{second}};
  combiner.on_edge({edge});
  // A step of 300 ms between the edge and its label: the label still falls within a second of
  // the old stamp, which would make a sample 300 ms wrong (and a second step).
  combiner.clock_stepped(300ms);
  combiner.on_label(
      NmeaLabel{TimeLabel{second, edge + 300ms + 150ms, true, LeapIndicator::none}, NmeaType::rmc});
  EXPECT_TRUE(samples.empty());
  // The next second, all on the new clock: labelled, exact.
  combiner.on_edge({edge + 1300ms});
  combiner.on_label(NmeaLabel{
      TimeLabel{second + 1, edge + 1300ms + 150ms, true, LeapIndicator::none}, NmeaType::rmc});
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_EQ(samples[0].kind, SampleKind::pps);
  EXPECT_EQ(samples[0].sample.offset(), -300ms);
}

}  // namespace
}  // namespace stratumd
