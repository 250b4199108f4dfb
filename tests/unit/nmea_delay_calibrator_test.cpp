#include "refclock/nmea_delay_calibrator.hpp"

#include <gtest/gtest.h>

#include <random>

namespace stratumd {
namespace {

using namespace std::chrono_literals;

TEST(NmeaDelayCalibrator, NeedsEnoughObservationsThenGivesMeanAndSpread) {
  NmeaDelayCalibrator c;
  std::mt19937 rng(5);
  std::normal_distribution<double> jitter(0.0, 0.0005);
  for (std::uint64_t i = 0; i < NmeaDelayCalibrator::kMinSamples - 1; ++i) {
    c.observe(NmeaType::rmc, from_seconds(0.180 + jitter(rng)));
  }
  EXPECT_FALSE(c.estimate(NmeaType::rmc));
  for (int i = 0; i < 500; ++i) c.observe(NmeaType::rmc, from_seconds(0.180 + jitter(rng)));
  const auto e = c.estimate(NmeaType::rmc);
  ASSERT_TRUE(e);
  EXPECT_NEAR(to_seconds(e->mean), 0.180, 0.0001);
  EXPECT_NEAR(to_seconds(e->spread), 0.0005, 0.0001);
  EXPECT_FALSE(c.estimate(NmeaType::gga));  // per sentence type
}

TEST(NmeaDelayCalibrator, RefusesImpossibleAndOutlyingDelays) {
  NmeaDelayCalibrator c;
  EXPECT_FALSE(c.observe(NmeaType::rmc, -1ms));
  EXPECT_FALSE(c.observe(NmeaType::rmc, 1s));
  for (int i = 0; i < 50; ++i) c.observe(NmeaType::rmc, 150ms + std::chrono::microseconds{i % 7});
  EXPECT_FALSE(c.observe(NmeaType::rmc, 400ms));  // a sentence held up once must not skew it
  EXPECT_EQ(c.refused(), 3u);
  EXPECT_NEAR(to_seconds(c.estimate(NmeaType::rmc)->mean), 0.150, 0.0001);
}

TEST(NmeaDelayCalibrator, PersistsAndReloads) {
  NmeaDelayCalibrator c;
  for (int i = 0; i < 40; ++i) {
    c.observe(NmeaType::rmc, 152ms + std::chrono::microseconds{10 * (i % 5)});
    c.observe(NmeaType::zda, 310ms);
  }
  const std::string text = c.serialize();
  EXPECT_NE(text.find("nmea-delay RMC 0.15202"), std::string::npos) << text;
  NmeaDelayCalibrator reloaded;
  EXPECT_EQ(reloaded.load(text + "garbage line\nnmea-delay RMC -1 0 99\nnmea-delay XYZ 0.1 0 99\n"),
            2);
  EXPECT_EQ(reloaded.estimate(NmeaType::rmc)->mean, c.estimate(NmeaType::rmc)->mean);
  EXPECT_EQ(reloaded.estimate(NmeaType::zda)->samples, 40u);
  EXPECT_EQ(reloaded.serialize(), text);
}

}  // namespace
}  // namespace stratumd
