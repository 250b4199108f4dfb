#include "firmware/discipline/clock_discipline.hpp"

#include <cmath>
#include <cstdio>

#include "firmware/time/utc_text.hpp"

namespace stratumd {
namespace {

Nanoseconds magnitude(Nanoseconds d) {
  return d < Nanoseconds{0} ? -d : d;
}

std::string seconds_text(Nanoseconds d) {
  char text[32];
  std::snprintf(text, sizeof text, "%+.6f s", to_seconds(d));
  return text;
}

}  // namespace

ClockDiscipline::ClockDiscipline(Clock& clock, DisciplineConfig config, bool frequency_known,
                                 Log log)
    : clock_(clock), config_(config), frequency_known_(frequency_known), log_(std::move(log)) {
  status_.frequency_ppm = clock_.frequency_ppm();
  status_.servo = active().name();
}

Nanoseconds ClockDiscipline::lock_threshold() const {
  return kind_ == SampleClass::pps ? config_.pps_lock_threshold : config_.coarse_lock_threshold;
}

bool ClockDiscipline::refuse_panic(Nanoseconds offset, UtcTime at) {
  if (config_.panic_threshold <= Nanoseconds{0} || magnitude(offset) <= config_.panic_threshold) {
    return false;
  }
  if (config_.allow_first_panic_step && status_.steps == 0) return false;
  ++status_.panics;
  if (status_.state != SyncState::unsynchronised) doubt(offset, at);
  if (!warned_panic_) {
    say("offset " + seconds_text(offset) + " is beyond the panic threshold (tinker panic " +
        std::to_string(
            std::chrono::duration_cast<std::chrono::seconds>(config_.panic_threshold).count()) +
        " s): the clock is not set; start with -g to allow the first correction, or set the "
        "clock by hand");
    warned_panic_ = true;
  }
  return true;
}

void ClockDiscipline::apply(const ServoCorrection& correction) {
  if (!config_.steer || (kernel_pps_ && kind_ == SampleClass::pps)) return;
  clock_.set_frequency(correction.frequency_ppm);
  clock_.slew(correction.slew, correction.slew_duration);
}

void ClockDiscipline::doubt(Nanoseconds offset, UtcTime at) {
  if (!doubt_) {
    doubt_ = Doubt{magnitude(offset), at, at};
    return;
  }
  doubt_->size = magnitude(offset);
  doubt_->latest = at;
  ++doubt_->samples;
}

// A clock that has been synchronised is not stepped again on one source's word while it waits
// for a lock (after holdover, after a source was lost or outvoted): the offset must persist for
// stepout (ntpd's SPIK state), unless corroborated. Before the first lock it steps at once, as
// ntpd's first clock update does.
void ClockDiscipline::say_waiting_for_stepout(Nanoseconds offset) const {
  say("offset " + seconds_text(offset) +
      " on a clock that was synchronised: not stepped unless it persists for the stepout "
      "interval (" +
      std::to_string(std::chrono::duration_cast<std::chrono::seconds>(config_.stepout).count()) +
      " s) or a quorum of sources corroborates it");
}

bool ClockDiscipline::persisted(const RefSample& sample) {
  if (!was_synchronised_) return true;
  if (!spike_since_) {
    spike_since_ = sample.reference;
    say_waiting_for_stepout(sample.offset());
  }
  if (sample.reference - *spike_since_ >= config_.stepout) return true;
  ++status_.outliers;
  return false;
}

void ClockDiscipline::start_from(const RefSample& sample) {
  const Nanoseconds offset = sample.offset();
  const Nanoseconds threshold = status_.state == SyncState::unsynchronised
                                    ? std::min(config_.step_threshold, config_.acquisition_step)
                                    : config_.step_threshold;
  const bool step =
      config_.steer && config_.step_threshold > Nanoseconds{0} && magnitude(offset) > threshold;
  if (step) {
    step_clock(offset, "");
    // After the step (which restarts the clock's ledger): the edge now reads `reference`.
    active().reset(clock_, frequency_known_, sample.reference);
  } else {
    active().reset(clock_, frequency_known_, sample.local);
    apply(active().sample(offset, sample.local, clock_, sample.variance));
  }
  // A network sample is a quorum's survivor already (and a corroborated one steps here): like
  // ntpd's first clock update, it synchronises at once.
  started(sample, kind_ == SampleClass::network ? SyncState::locked : SyncState::locking);
}

void ClockDiscipline::step_clock(Nanoseconds offset, const std::string& how) {
  clock_.step(offset);
  ++status_.steps;
  status_.last_step = offset;
  say("stepped the clock by " + seconds_text(offset) + how);
}

// The clock was just set (or slewed) from `sample`: the state machine starts over from it.
void ClockDiscipline::started(const RefSample& sample, SyncState state) {
  status_.state = state;
  if (state == SyncState::locked) was_synchronised_ = true;
  status_.last_update = sample.reference;
  status_.last_offset = sample.offset();
  good_in_a_row_ = 0;
  refused_in_a_row_ = 0;
  spike_since_.reset();
  doubt_.reset();
  holdover_frequency_.clear();
  forget_acquisition();
  status_.frequency_ppm = clock_.frequency_ppm();
}

// An unsynchronised clock and network samples: the servo takes them without steering (its
// ledger then shows nothing applied, so its estimate is of the free-running clock) until it has
// enough to set the clock better than any one sample could, frequency included.
bool ClockDiscipline::acquired(const RefSample& sample) {
  if (acquisition_samples_ == 0) {
    active().reset_unset(clock_, frequency_known_, sample.local, sample.offset());
  }
  const ServoCorrection estimate =
      active().sample(sample.offset(), sample.local, clock_, sample.variance);
  if (!estimate.accepted) return false;
  ++acquisition_samples_;
  acquisition_latest_.emplace(sample, estimate);
  if (acquisition_samples_ < config_.network_samples_to_set ||
      active().estimate().frequency_sd_ppm > config_.lock_frequency_sd_ppm) {
    return false;
  }
  set_from_estimate(sample, estimate);
  return true;
}

void ClockDiscipline::set_from_estimate(const RefSample& sample, const ServoCorrection& estimate) {
  const Nanoseconds offset = estimate.slew;  // the estimate, carried to now
  const Nanoseconds threshold = std::min(config_.step_threshold, config_.acquisition_step);
  if (config_.steer && config_.step_threshold > Nanoseconds{0} && magnitude(offset) > threshold) {
    step_clock(offset,
               " (the estimate of " + std::to_string(acquisition_samples_) + " network samples)");
    active().clock_stepped(offset, clock_);
    clock_.set_frequency(estimate.frequency_ppm);
  } else {
    apply(estimate);
  }
  started(sample, SyncState::locked);
}

void ClockDiscipline::on_sample(const RefSample& sample, SampleClass kind, bool corroborated) {
  ++status_.samples;
  const Nanoseconds offset = sample.offset();
  // status_.last_offset is the last sample the clock took: a refused one (panic, stepout, the
  // servo's gate) must not reach the announced root dispersion.
  receiver_leap_ = sample.leap;

  if (kind != kind_) {
    // The other servo takes over from the clock as it stands, as well as the one before knew it
    // (its error grown since its last sample); a locked clock stays locked.
    const ServoEstimate before = active().estimate();
    const double since = status_.last_update
                             ? std::max(0.0, to_seconds(sample.reference - *status_.last_update))
                             : 0.0;
    const double frequency_sd = before.frequency_sd_ppm * 1e-6;
    const double offset_sd = std::sqrt(
        std::pow(to_seconds(before.jitter), 2) + std::pow(frequency_sd * since, 2) +
        before.phase_diffusion * since + before.random_walk * since * since * since / 3.0);
    const double frequency_sd_now =
        std::sqrt(frequency_sd * frequency_sd + before.random_walk * since) * 1e6;
    kind_ = kind;
    status_.servo = active().name();
    good_in_a_row_ = 0;
    refused_in_a_row_ = 0;
    holdover_frequency_.clear();
    forget_acquisition();
    if (status_.state != SyncState::unsynchronised) {
      active().take_over(clock_, sample.local, offset_sd, frequency_sd_now);
    }
  }

  const bool beyond_step =
      config_.step_threshold > Nanoseconds{0} && magnitude(offset) > config_.step_threshold;
  if (status_.state == SyncState::unsynchronised) {
    if (refuse_panic(offset, sample.local)) return;
    if (beyond_step && !corroborated && !persisted(sample)) return;
    if (kind_ == SampleClass::network && !corroborated) {
      acquired(sample);
      return;
    }
    start_from(sample);
    return;
  }
  // ntpd exits here; we keep serving what we have and say why.
  if (refuse_panic(offset, sample.local)) return;

  if (beyond_step) {
    if (status_.state == SyncState::locking) {
      // The samples since the last step did not bear it out.
      if (corroborated || persisted(sample)) start_from(sample);
      return;
    }
    if (corroborated) {
      say("offset " + seconds_text(offset) +
          " is corroborated: stepped at once, not after stepout");
      start_from(sample);
      return;
    }
    // Once locked, a step needs the offset to persist (ntpd's stepout): one wrong second from a
    // receiver must not move a good clock.
    if (!spike_since_) {
      spike_since_ = sample.reference;
      // Holding over, the offset comes from another source (a network majority): said, as when
      // the clock waits unsynchronised.
      if (status_.state == SyncState::holdover) say_waiting_for_stepout(offset);
    }
    if (sample.reference - *spike_since_ < config_.stepout) {
      ++status_.outliers;
      doubt(offset, sample.local);
      return;
    }
    say("offset " + seconds_text(offset) + " persisted for the stepout interval");
    start_from(sample);
    return;
  }
  spike_since_.reset();
  doubt_.reset();

  // The servos work on the clock's own time axis, where its ledger is kept.
  ServoCorrection correction = active().sample(offset, sample.local, clock_, sample.variance);
  if (!correction.accepted) {
    ++status_.outliers;
    if (++refused_in_a_row_ < config_.refusals_before_relock) return;
    say(std::to_string(refused_in_a_row_) + " samples in a row refused (offset " +
        seconds_text(offset) + "): the reference moved; locking again");
    active().reset(clock_, true, sample.local);
    correction = active().sample(offset, sample.local, clock_, sample.variance);
    status_.state = SyncState::locking;
    good_in_a_row_ = 0;
  }
  refused_in_a_row_ = 0;
  // Before the correction: the ledger up to the sample holds only what came before it.
  if (!kernel_pps_ || kind_ != SampleClass::pps) {
    holdover_frequency_.add(sample.local, active().estimate().offset,
                            clock_.corrections().at(sample.local));
  }
  apply(correction);
  status_.last_update = sample.reference;
  status_.last_offset = offset;

  if (magnitude(offset) < lock_threshold()) {
    ++good_in_a_row_;
    if (status_.state == SyncState::holdover) {
      status_.state = SyncState::locked;
      say("samples again: holdover ends");
    } else if (status_.state == SyncState::locking &&
               good_in_a_row_ >= (kind_ == SampleClass::network ? 1 : config_.samples_to_lock) &&
               (kind_ != SampleClass::pps ||
                active().estimate().frequency_sd_ppm < config_.lock_frequency_sd_ppm)) {
      status_.state = SyncState::locked;
      was_synchronised_ = true;
      frequency_known_ = true;
      say(std::string("locked (") + active().name() + " servo, frequency " +
          std::to_string(clock_.frequency_ppm()) + " ppm)");
    }
  } else {
    good_in_a_row_ = 0;
    if (status_.state == SyncState::holdover) status_.state = SyncState::locking;
  }
  const ServoEstimate estimate = active().estimate();
  status_.frequency_ppm = clock_.frequency_ppm();
  status_.jitter = estimate.jitter;
  status_.frequency_measuring = estimate.frequency_measuring;
  status_.wander_ppm = estimate.wander_ppm;
  status_.poll_log2 = estimate.poll_log2;
}

void ClockDiscipline::on_tick(UtcTime now) {
  if (status_.state == SyncState::unsynchronised && acquisition_latest_ &&
      now - acquisition_latest_->first.local > config_.network_acquisition_pause) {
    // The samples paused: the clock is set from what the servo has, its offset carried from the
    // latest sample to now at the frequency it estimated (nothing was applied meanwhile).
    auto [sample, estimate] = *acquisition_latest_;
    const double drift =
        ledger_rate_from_ppm(estimate.frequency_ppm) - ledger_rate_from_ppm(clock_.frequency_ppm());
    estimate.slew += from_seconds(drift * to_seconds(now - acquisition_latest_->first.local));
    set_from_estimate(sample, estimate);
  }
  if (status_.last_update) {
    const Nanoseconds age = now - *status_.last_update;
    const Nanoseconds timeout =
        kind_ == SampleClass::network ? config_.network_sample_timeout : config_.sample_timeout;
    if (status_.state == SyncState::locked && age > timeout) {
      status_.state = SyncState::holdover;
      std::string held = "the learnt frequency";
      // Network samples, polls apart: the servo's estimate already averages over its memory, and
      // follows an oscillator that wanders; a fixed half hour lags it.
      const auto average =
          kind_ == SampleClass::network ? std::nullopt : holdover_frequency_.frequency_ppm();
      if (average && config_.steer && !(kernel_pps_ && kind_ == SampleClass::pps)) {
        // The servo's last estimate carries the last minutes' noise; the average does not.
        clock_.set_frequency(*average);
        status_.frequency_ppm = clock_.frequency_ppm();
        char text[80];
        std::snprintf(text, sizeof text, "%+.4f ppm, the average of the last half hour", *average);
        held = text;
      }
      say("no samples: holdover on " + held + " (limit " +
          std::to_string(
              std::chrono::duration_cast<std::chrono::seconds>(config_.holdover_limit).count()) +
          " s)");
    } else if (status_.state == SyncState::locking && age > timeout) {
      status_.state = SyncState::unsynchronised;
    }
    if (status_.state == SyncState::holdover && age > config_.holdover_limit) {
      status_.state = SyncState::unsynchronised;
      say("holdover limit reached: unsynchronised");
    }
  }
  update_leap(now);
}

void ClockDiscipline::update_leap(UtcTime now) {
  // An armed leap stays armed until a second after it: an inserted second reads before it again.
  if (status_.pending_leap && now < status_.pending_leap->at + std::chrono::seconds{1}) {
    return;
  }
  if (status_.pending_leap) completed_leap_ = status_.pending_leap->at;
  status_.leap_table.reset();
  if (leap_table_) status_.leap_table = summarize_leap_table(*leap_table_, now);
  std::optional<LeapEvent> next;
  if (leap_table_ && !leap_table_->expired_at(now)) {
    next = next_leap_from_table(*leap_table_, now);  // a current table is authoritative
  } else if (status_.state == SyncState::locked || status_.state == SyncState::holdover) {
    next = leap_from_warning(receiver_leap_, now);
  }
  if (next) {
    // Armed during the UTC day that ends with the leap: the kernel leaps at the next midnight.
    const UtcTime midnight = next->at + std::chrono::seconds{next->direction < 0 ? 1 : 0};
    if (midnight - now > kLeapAnnouncement || next->at <= completed_leap_) next.reset();
  }
  if (next == status_.pending_leap) return;
  const bool smeared = clock_.arm_leap(next, config_.leap_smear) && config_.leap_smear.count() > 0;
  if (next && config_.leap_smear.count() > 0 && !smeared && !smear_unavailable_said_) {
    say("this clock cannot smear leap seconds (the kernel leaps); clients see the leap");
    smear_unavailable_said_ = true;
  }
  leap_smeared_ = smeared;
  if (next) {
    say(std::string("leap second armed: ") + (next->direction > 0 ? "insertion" : "deletion") +
        " at " + utc_text(next->at) + " UTC" + (smeared ? ", smeared for clients" : ""));
  } else if (status_.pending_leap) {
    say("leap second done");
  }
  status_.pending_leap = next;
}

void ClockDiscipline::fill_snapshot(ClockSnapshot& snapshot, std::uint32_t reference_id) const {
  snapshot.state = status_.state;
  snapshot.has_stepped = status_.steps > 0;
  const bool serving = status_.state == SyncState::locked || status_.state == SyncState::holdover;
  snapshot.stratum = serving ? 1 : 16;
  LeapIndicator leap = LeapIndicator::none;
  if (status_.pending_leap && !leap_smeared_) {
    leap = status_.pending_leap->direction > 0 ? LeapIndicator::insert_second
                                               : LeapIndicator::delete_second;
  }
  snapshot.leap = serving ? leap : LeapIndicator::unsynchronised;
  snapshot.reference_id = reference_id;
  snapshot.root_delay = Nanoseconds{0};
  if (status_.last_update) snapshot.reference_time = *status_.last_update;
  const ServoEstimate estimate = active().estimate();
  // At the update: the clock's resolution, the sample noise and the residual just measured.
  const Nanoseconds resolution = from_seconds(std::ldexp(1.0, snapshot.precision));
  snapshot.root_dispersion = resolution + estimate.jitter + magnitude(status_.last_offset);
  if (disagrees()) {
    // The clock disagrees with its reference by this much right now: said, and past the grace,
    // not served as good time at all.
    snapshot.root_dispersion += doubt_->size;
    if (doubted()) {
      snapshot.stratum = 16;
      snapshot.leap = LeapIndicator::unsynchronised;
    }
  }
  // Growth: never slower than ntpd's phi; faster when the frequency itself is uncertain, plus the
  // t^1.5 term of the measured random-walk frequency noise (3 sigma).
  snapshot.dispersion_rate =
      std::max(config_.dispersion_floor, 3.0 * estimate.frequency_sd_ppm * 1e-6);
  snapshot.dispersion_wander = 3.0 * std::sqrt(estimate.random_walk / 3.0);
}

}  // namespace stratumd
