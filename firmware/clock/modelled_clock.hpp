// A clock kept as a ClockModel over a free-running raw counter (the virtual clock on
// CLOCK_MONOTONIC_RAW, the simulated oscillator): every correction is arithmetic on the model,
// and the ledger records each one exactly, a slew's end included (the model ends it itself).
// `frequency_quantum_ppm` > 0 rounds frequencies as the kernel's ADJ_FREQUENCY does (2^-16 ppm),
// so a simulated clock steers like the real one.
#pragma once

#include "firmware/clock/clock.hpp"

namespace stratumd {

class ModelledClock : public Clock {
 public:
  UtcTime now() const override { return model_.utc_at(raw_now()); }
  void set_frequency(double ppm) override;
  double frequency_ppm() const override { return model_.frequency_ppm(); }
  void slew(Nanoseconds offset, Nanoseconds duration) override;
  void step(Nanoseconds offset) override;
  bool arm_leap(std::optional<LeapEvent> leap, Nanoseconds smear) override;
  ClockModel model() const override { return model_; }
  const CorrectionLedger& corrections() const override { return ledger_; }

 protected:
  ModelledClock(RawTime raw_start, UtcTime initial, double frequency_quantum_ppm)
      : model_(raw_start, initial), frequency_quantum_ppm_(frequency_quantum_ppm) {
    ledger_.restart(initial, 0.0);  // no correction until one is set
  }
  virtual RawTime raw_now() const = 0;

 private:
  // Records the model's rates from now on: frequency plus any slew, and the slew's end.
  void record(RawTime raw);

  ClockModel model_;
  double frequency_quantum_ppm_;
  CorrectionLedger ledger_;
};

}  // namespace stratumd
