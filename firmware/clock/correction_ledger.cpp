#include "firmware/clock/correction_ledger.hpp"

namespace stratumd {

void CorrectionLedger::restart(UtcTime at, double rate) {
  pieces_[0] = Piece{at, rate, 0.0};
  newest_ = 0;
  count_ = 1;
}

void CorrectionLedger::append(UtcTime start, double rate) {
  const Piece& last = pieces_[newest_];
  const double total = last.total + last.rate * to_seconds(start - last.start);
  newest_ = (newest_ + 1) % kPieces;
  pieces_[newest_] = Piece{start, rate, total};
  if (count_ < kPieces) ++count_;
}

void CorrectionLedger::change(UtcTime at, double rate, std::optional<Scheduled> then) {
  // Drop what was scheduled from `at` on (a slew replaced before its end).
  while (count_ > 1 && pieces_[newest_].start > at) {
    newest_ = (newest_ + kPieces - 1) % kPieces;
    --count_;
  }
  if (pieces_[newest_].start > at) {
    restart(at, rate);  // the clock went backwards past everything kept
  } else {
    append(at, rate);
  }
  if (then && then->at > at) append(then->at, then->rate);
}

const CorrectionLedger::Piece& CorrectionLedger::piece_for(UtcTime t) const {
  std::size_t i = newest_;
  for (std::size_t n = 1; n < count_ && pieces_[i].start > t; ++n) i = (i + kPieces - 1) % kPieces;
  return pieces_[i];
}

double CorrectionLedger::at(UtcTime t) const {
  const Piece& p = piece_for(t);
  return p.total + p.rate * to_seconds(t - p.start);
}

double CorrectionLedger::rate_at(UtcTime t) const {
  return piece_for(t).rate;
}

}  // namespace stratumd
