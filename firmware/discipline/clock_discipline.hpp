// The discipline: decides, per sample, whether to step, slew through a servo, or refuse; runs the
// state machine unsynchronised -> locking -> locked -> holdover -> unsynchronised; arms leap
// seconds; and says honestly, in the snapshot, how good the served time is. It talks to the clock
// only through the Clock interface and to the servos only through Servo (one adaptive Kalman
// servo per sample class).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "firmware/clock/clock.hpp"
#include "firmware/clock/clock_snapshot.hpp"
#include "firmware/discipline/holdover_frequency.hpp"
#include "firmware/discipline/kalman_servo.hpp"
#include "firmware/discipline/leap_table.hpp"
#include "refclock/ref_sample.hpp"

namespace stratumd {

// coarse: NMEA-only samples (a second apart, milliseconds of noise);
// network: each new sample of every upstream server the selection kept, with its own error
// from its delay (they come a poll interval apart, and time out later).
enum class SampleClass { pps, coarse, network };

struct DisciplineConfig {
  Nanoseconds step_threshold = std::chrono::milliseconds{128};  // tinker step; 0: never step
  Nanoseconds panic_threshold = std::chrono::seconds{1000};     // tinker panic; 0: no limit
  Nanoseconds stepout = std::chrono::seconds{300};              // tinker stepout
  // While unsynchronised (clients are told so and follow someone else), a first offset beyond
  // this is stepped rather than slewed at 500 ppm, which would take 200 s for 100 ms: chronyd's
  // `makestep` for a clock nobody follows yet. Never larger than the step threshold; no step
  // at all with `tinker step 0`.
  Nanoseconds acquisition_step = std::chrono::milliseconds{1};
  bool allow_first_panic_step = false;  // -g
  bool steer = true;                    // `disable ntp`: measure and serve, never adjust the clock
  Nanoseconds sample_timeout = std::chrono::seconds{5};            // no sample this long: holdover
  Nanoseconds network_sample_timeout = std::chrono::seconds{300};  // for network samples
  Nanoseconds holdover_limit = std::chrono::hours{1};  // `holdover`; then unsynchronised
  double dispersion_floor = 15e-6;                     // tinker dispersion (ntpd's PHI), s/s
  Nanoseconds leap_smear{0};                           // leapsmearinterval
  Nanoseconds pps_lock_threshold = std::chrono::microseconds{100};
  Nanoseconds coarse_lock_threshold = std::chrono::milliseconds{50};
  int samples_to_lock = 8;
  // PPS: and the servo's frequency known this well (1 sigma), so a lock, and the drift file
  // written from it, never carries the start-up transient (network: before the clock is set).
  double lock_frequency_sd_ppm = 1.0;
  // Network samples are tens of microseconds apart from each other: an unsynchronised clock is
  // set from the servo's estimate over at least this many of them, once it knows the frequency
  // to `lock_frequency_sd_ppm` (some seconds of an iburst), not from one, and is locked from
  // then on; or with what it has when they pause this long (an iburst's samples come two
  // seconds apart; without one, the next is a poll away).
  int network_samples_to_set = 4;
  Nanoseconds network_acquisition_pause = std::chrono::seconds{5};
  // A run of refused samples this long means the reference really moved: start over.
  int refusals_before_relock = 30;
  // While the clock is known to disagree with its reference beyond the step threshold (a step
  // waiting for stepout, a panic offset), the root dispersion covers the disagreement at once;
  // once it has lasted this long clients are told unsynchronised (LI 3), so SNTP clients, which
  // read only LI and stratum, are not served a doubted time. A single glitch does not flap.
  Nanoseconds doubt_grace = std::chrono::seconds{10};
};

struct LoopStatus {
  SyncState state = SyncState::unsynchronised;
  Nanoseconds last_offset{0};
  Nanoseconds jitter{0};
  double frequency_ppm = 0.0;
  double wander_ppm = 0.0;
  int poll_log2 = 0;
  bool frequency_measuring = false;  // the servo is still measuring it (the first minutes)
  const char* servo = "none";
  std::uint64_t samples = 0;
  std::uint64_t outliers = 0;  // refused by a servo or as a spike
  std::uint64_t steps = 0;
  Nanoseconds last_step{0};  // by how much the clock was last stepped
  std::uint64_t panics = 0;  // offsets beyond the panic threshold, never applied
  std::optional<UtcTime> last_update;
  LeapIndicator leap = LeapIndicator::none;    // announced to clients now
  std::optional<LeapEvent> pending_leap;       // armed in the clock
  std::optional<LeapTableSummary> leap_table;  // the leapfile's, for ntpq (none: no table)
};

class ClockDiscipline {
 public:
  using Log = std::function<void(const std::string&)>;

  // `frequency_known`: the clock's frequency came from a drift file and is trusted.
  ClockDiscipline(Clock& clock, DisciplineConfig config, bool frequency_known, Log log = {});

  // `corroborated`: the offset is backed by more than its source's word (a network quorum that
  // outvoted the reference clock, a receiver's first whole-second correction): a step beyond the
  // threshold is taken at once, not after stepout.
  void on_sample(const RefSample& sample, SampleClass kind, bool corroborated = false);
  // Advances the state machine with the passage of time, and arms leap seconds.
  void on_tick(UtcTime now);

  // The leap table from a leapfile (nullopt: none, or refused); receiver warnings serve otherwise.
  void set_leap_table(std::optional<LeapTable> table) { leap_table_ = std::move(table); }
  // A reload: new thresholds and limits, the clock's state and the servos' learning kept.
  void set_config(const DisciplineConfig& config) { config_ = config; }
  const DisciplineConfig& config() const { return config_; }
  // The kernel's PPS loop steers (`enable kernel`): PPS samples still number the seconds, set the
  // clock at start and drive the state machine, but their corrections are the kernel's to make.
  void set_kernel_pps(bool on) { kernel_pps_ = on; }

  const LoopStatus& status() const { return status_; }
  // How far (magnitude) the clock is known to disagree with its reference beyond the step
  // threshold, and whether that has lasted past the grace; nullopt when it agrees.
  // A single wild sample is a glitch, not a disagreement: it takes two in a row.
  struct Doubt {
    Nanoseconds size{0};
    UtcTime since{};
    UtcTime latest{};
    int samples = 1;
  };
  bool disagrees() const { return doubt_ && doubt_->samples >= 2; }
  Nanoseconds disagreement() const { return disagrees() ? doubt_->size : Nanoseconds{0}; }
  bool doubted() const {
    return disagrees() && doubt_->latest - doubt_->since >= config_.doubt_grace;
  }
  bool frequency_trusted() const { return frequency_known_; }
  ServoEstimate servo_estimate() const { return active().estimate(); }

  void fill_snapshot(ClockSnapshot& snapshot, std::uint32_t reference_id) const;

 private:
  Servo& active() { return const_cast<Servo&>(std::as_const(*this).active()); }
  const Servo& active() const {
    switch (kind_) {
      case SampleClass::pps:
        return pps_;
      case SampleClass::coarse:
        return nmea_;
      case SampleClass::network:
        break;
    }
    return network_;
  }
  Nanoseconds lock_threshold() const;
  void start_from(const RefSample& sample);
  bool acquired(const RefSample& sample);
  void forget_acquisition() {
    acquisition_samples_ = 0;
    acquisition_latest_.reset();
  }
  void set_from_estimate(const RefSample& sample, const ServoCorrection& estimate);
  void step_clock(Nanoseconds offset, const std::string& how);
  void started(const RefSample& sample, SyncState state);
  bool refuse_panic(Nanoseconds offset, UtcTime at);
  bool persisted(const RefSample& sample);
  void say_waiting_for_stepout(Nanoseconds offset) const;
  void apply(const ServoCorrection& correction);
  void update_leap(UtcTime now);
  void say(const std::string& line) const {
    if (log_) log_(line);
  }

  Clock& clock_;
  DisciplineConfig config_;
  bool frequency_known_;
  Log log_;
  KalmanServo pps_;
  // NMEA-only samples come once a second too, only noisier: the same estimator, which measures
  // their noise, beats a fixed-gain loop on them.
  KalmanServo nmea_{KalmanServoParams{
      .name = "nmea-kalman", .initial_noise = 10e-3, .slew_duration = std::chrono::seconds{16}}};
  // Network samples: each weighted by the variance its delay gives it; slewed over a few
  // seconds, since the next sample comes seconds later.
  KalmanServo network_{KalmanServoParams{
      .name = "network-kalman", .initial_noise = 1e-3, .slew_duration = std::chrono::seconds{8}}};
  HoldoverFrequency holdover_frequency_;
  SampleClass kind_ = SampleClass::pps;
  LoopStatus status_;
  int good_in_a_row_ = 0;
  int refused_in_a_row_ = 0;
  std::optional<UtcTime> spike_since_;
  bool was_synchronised_ = false;
  std::optional<Doubt> doubt_;
  // Network samples gathered while unsynchronised, before the clock is set from their estimate:
  // how many, and the servo's word on the latest (its offset carried to then, its frequency).
  int acquisition_samples_ = 0;
  std::optional<std::pair<RefSample, ServoCorrection>> acquisition_latest_;
  void doubt(Nanoseconds offset, UtcTime at);
  bool warned_panic_ = false;
  std::optional<LeapTable> leap_table_;
  LeapIndicator receiver_leap_ = LeapIndicator::none;
  bool smear_unavailable_said_ = false;
  bool leap_smeared_ = false;
  bool kernel_pps_ = false;
  UtcTime completed_leap_{};
};

}  // namespace stratumd
