// Where the protocol code draws its randomness (a client request's transmit nonce, the spread of
// a peer's poll): injected, so the sans-IO state machines run on the kernel's source in the
// daemon and on a seeded generator in tests, which then replay bit for bit.
#pragma once

#include <cstdint>
#include <random>

namespace stratumd {

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  virtual std::uint64_t next() = 0;
};

// The kernel's nondeterministic source (getrandom through std::random_device): what an off-path
// attacker must not be able to predict.
class SystemRandom final : public RandomSource {
 public:
  std::uint64_t next() override {
    return (std::uint64_t{device_()} << 32) | std::uint64_t{device_()};
  }

 private:
  std::random_device device_;
};

// A fixed sequence for a seed: for tests and simulations only, never on the network.
class SeededRandom final : public RandomSource {
 public:
  explicit SeededRandom(std::uint64_t seed) : generator_(seed) {}
  std::uint64_t next() override { return generator_(); }

 private:
  std::mt19937_64 generator_;
};

}  // namespace stratumd
