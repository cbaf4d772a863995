#include "obs/tracing/sampler.hpp"

#include <cmath>

namespace parley::obs::tracing {

ratio_sampler::ratio_sampler(double ratio)
    : always_(ratio >= 1.0),
      // NaN and negative ratios sample nothing.
      bound_(ratio > 0.0 && ratio < 1.0 ? static_cast<std::uint64_t>(std::ldexp(ratio, 63)) : 0) {}

bool ratio_sampler::should_sample(const trace_id& id) const {
  if (always_) return true;
  std::uint64_t low = 0;
  for (std::size_t i = 8; i < 16; ++i) low = (low << 8) | id[i];
  return (low >> 1) < bound_;
}

}  // namespace parley::obs::tracing
