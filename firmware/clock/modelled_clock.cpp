#include "firmware/clock/modelled_clock.hpp"

#include <cmath>

namespace stratumd {

namespace {

// The model's rates are per raw second; the ledger's per second of the clock's own reading.
double per_clock_second(double per_raw_second) {
  return ledger_rate_from_ppm(per_raw_second * 1e6);
}

}  // namespace

void ModelledClock::record(RawTime raw) {
  const UtcTime at = model_.utc_at(raw);
  const double frequency = model_.frequency_ppm() * 1e-6;
  if (model_.slew_end() > raw) {
    ledger_.change(
        at, per_clock_second(frequency + model_.slew_rate()),
        CorrectionLedger::Scheduled{model_.utc_at(model_.slew_end()), per_clock_second(frequency)});
  } else {
    ledger_.change(at, per_clock_second(frequency));
  }
}

void ModelledClock::set_frequency(double ppm) {
  if (frequency_quantum_ppm_ > 0)
    ppm = std::round(ppm / frequency_quantum_ppm_) * frequency_quantum_ppm_;
  const RawTime raw = raw_now();
  model_.set_frequency(raw, ppm);
  record(raw);
}

void ModelledClock::slew(Nanoseconds offset, Nanoseconds duration) {
  const RawTime raw = raw_now();
  model_.slew(raw, offset, duration);
  record(raw);
}

void ModelledClock::step(Nanoseconds offset) {
  const RawTime raw = raw_now();
  model_.step(raw, offset);
  ledger_.restart(model_.utc_at(raw), per_clock_second(model_.frequency_ppm() * 1e-6));
}

bool ModelledClock::arm_leap(std::optional<LeapEvent> leap, Nanoseconds smear) {
  const RawTime raw = raw_now();
  if (leap) {
    model_.schedule_leap(raw, leap->at, leap->step(), smear);
  } else {
    model_.cancel_leap(raw);
  }
  return true;
}

}  // namespace stratumd
