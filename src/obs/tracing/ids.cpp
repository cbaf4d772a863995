#include "obs/tracing/ids.hpp"

#include <algorithm>
#include <cstring>
#include <random>

namespace parley::obs::tracing {
namespace {

// xoshiro256** (Blackman & Vigna): a few cycles per id, and no lock, since every thread has one.
class id_generator {
 public:
  id_generator() {
    std::random_device seed;
    for (auto& word : state_) {
      word = (std::uint64_t{seed()} << 32) ^ seed();
    }
    if (std::all_of(state_.begin(), state_.end(), [](std::uint64_t w) { return w == 0; })) {
      state_[0] = 0x9E3779B97F4A7C15ULL;  // the one state the generator must not start from
    }
  }

  std::uint64_t next() {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::array<std::uint64_t, 4> state_{};
};

id_generator& generator() {
  thread_local id_generator instance;
  return instance;
}

template <std::size_t N>
void fill_random(std::array<std::uint8_t, N>& bytes) {
  auto& random = generator();
  do {
    for (std::size_t i = 0; i < N; i += 8) {
      const std::uint64_t word = random.next();
      std::memcpy(bytes.data() + i, &word, 8);
    }
  } while (std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0; }));
}

template <std::size_t N>
std::string hex(const std::array<std::uint8_t, N>& bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(N * 2, '0');
  for (std::size_t i = 0; i < N; ++i) {
    out[2 * i] = digits[bytes[i] >> 4];
    out[2 * i + 1] = digits[bytes[i] & 0x0F];
  }
  return out;
}

}  // namespace

bool is_zero(const trace_id& id) {
  return std::all_of(id.begin(), id.end(), [](std::uint8_t b) { return b == 0; });
}
bool is_zero(const span_id& id) {
  return std::all_of(id.begin(), id.end(), [](std::uint8_t b) { return b == 0; });
}

bool span_context::valid() const {
  return !is_zero(trace) && !is_zero(span);
}

trace_id new_trace_id() {
  trace_id id;
  fill_random(id);
  return id;
}

span_id new_span_id() {
  span_id id;
  fill_random(id);
  return id;
}

std::string to_hex(const trace_id& id) {
  return hex(id);
}
std::string to_hex(const span_id& id) {
  return hex(id);
}

}  // namespace parley::obs::tracing
