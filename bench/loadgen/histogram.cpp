#include "histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace parley::bench {

histogram::histogram() : counts_(k_linear + (k_max_bits - k_linear_bits + 1) * k_half, 0) {}

std::size_t histogram::index_of(std::uint64_t v) {
  if (v < k_linear) return v;
  v = std::min(v, (std::uint64_t{1} << k_max_bits) - 1);
  // Keep the top k_linear_bits bits: v >> shift is in [512, 1024).
  const unsigned shift = static_cast<unsigned>(std::bit_width(v)) - k_linear_bits;
  return k_linear + (shift - 1) * k_half + ((v >> shift) - k_half);
}

std::uint64_t histogram::midpoint_of(std::size_t index) {
  if (index < k_linear) return index;
  const std::size_t shift = (index - k_linear) / k_half + 1;
  const std::uint64_t low = ((index - k_linear) % k_half + k_half) << shift;
  return low + (std::uint64_t{1} << shift) / 2;
}

void histogram::merge(const histogram& other) {
  for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  total_ += other.total_;
  max_ = std::max(max_, other.max_);
}

std::uint64_t histogram::quantile(double q) const {
  if (total_ == 0) return 0;
  const auto rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(q * total_)));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::min(midpoint_of(i), max_);
  }
  return max_;
}

}  // namespace parley::bench
