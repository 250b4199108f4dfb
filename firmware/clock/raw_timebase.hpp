// The free-running counter a model-based clock is built on. Reads must be thread-safe and
// lock-free: server threads read it for every reply.
#pragma once

#include "firmware/time/time_types.hpp"

namespace stratumd {

class RawTimebase {
 public:
  virtual ~RawTimebase() = default;
  virtual RawTime raw_now() const = 0;
};

}  // namespace stratumd
