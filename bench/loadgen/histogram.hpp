#pragma once

#include <cstdint>
#include <vector>

namespace parley::bench {

// Log-linear latency histogram in microseconds, HdrHistogram-like: exact below 1024 µs, then
// 512 buckets per power of two (0.2% relative error). Recording is a shift and an increment.
class histogram {
 public:
  histogram();

  void record(std::uint64_t value_us) {
    ++counts_[index_of(value_us)];
    ++total_;
    if (value_us > max_) max_ = value_us;
  }
  void merge(const histogram& other);

  std::uint64_t count() const { return total_; }
  std::uint64_t max() const { return max_; }
  // The value at quantile q (0..1): the midpoint of its bucket, exact below 1024 µs.
  std::uint64_t quantile(double q) const;

 private:
  static constexpr unsigned k_linear_bits = 10;  // 1024 exact 1 µs buckets
  static constexpr std::uint64_t k_linear = 1u << k_linear_bits;
  static constexpr std::uint64_t k_half = k_linear / 2;
  static constexpr unsigned k_max_bits = 40;  // clamp at 2^40 µs (12 days)

  static std::size_t index_of(std::uint64_t v);
  static std::uint64_t midpoint_of(std::size_t index);

  std::vector<std::uint64_t> counts_;
  std::uint64_t total_ = 0;
  std::uint64_t max_ = 0;
};

}  // namespace parley::bench
