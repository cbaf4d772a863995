#include "obs/tracing/traceparent.hpp"

#include <array>
#include <cstdint>

namespace parley::obs::tracing {
namespace {

constexpr std::size_t k_version_00_size = 55;  // 2 + 1 + 32 + 1 + 16 + 1 + 2

int lower_hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;  // upper case too: the spec allows lowercase only
}

template <std::size_t N>
bool read_hex(std::string_view text, std::array<std::uint8_t, N>& out) {
  if (text.size() != 2 * N) return false;
  for (std::size_t i = 0; i < N; ++i) {
    const int high = lower_hex_value(text[2 * i]);
    const int low = lower_hex_value(text[2 * i + 1]);
    if (high < 0 || low < 0) return false;
    out[i] = static_cast<std::uint8_t>(high * 16 + low);
  }
  return true;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

std::optional<span_context> parse_traceparent(std::string_view header) {
  header = trim(header);
  if (header.size() < k_version_00_size) return std::nullopt;
  std::array<std::uint8_t, 1> version{};
  std::array<std::uint8_t, 1> flags{};
  span_context context;
  if (!read_hex(header.substr(0, 2), version) || version[0] == 0xFF) return std::nullopt;
  // Version 00 is exactly 55 characters; a later one may append fields after a '-'.
  if (header.size() > k_version_00_size && (version[0] == 0 || header[k_version_00_size] != '-')) {
    return std::nullopt;
  }
  if (header[2] != '-' || header[35] != '-' || header[52] != '-') return std::nullopt;
  if (!read_hex(header.substr(3, 32), context.trace) ||
      !read_hex(header.substr(36, 16), context.span) || !read_hex(header.substr(53, 2), flags)) {
    return std::nullopt;
  }
  if (!context.valid()) return std::nullopt;
  context.sampled = (flags[0] & 0x01) != 0;
  return context;
}

std::string format_traceparent(const span_context& context) {
  return "00-" + to_hex(context.trace) + "-" + to_hex(context.span) +
         (context.sampled ? "-01" : "-00");
}

}  // namespace parley::obs::tracing
