#pragma once

#include <cstdint>

#include "obs/tracing/ids.hpp"

namespace parley::obs::tracing {

// OpenTelemetry's TraceIdRatioBased sampler, decided on the trace id alone (as OpenTelemetry Go
// does: the last 8 bytes, top bit dropped, below ratio * 2^63), so every service that samples a
// trace at the same ratio makes the same decision. Ratio 0 samples nothing, 1 everything.
class ratio_sampler {
 public:
  explicit ratio_sampler(double ratio);

  [[nodiscard]] bool should_sample(const trace_id& id) const;

 private:
  bool always_;
  std::uint64_t bound_;  // sample when the id's 63 bits are below this
};

}  // namespace parley::obs::tracing
