#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace parley::obs::tracing {

// W3C trace context ids: a trace is 16 bytes, a span 8; all-zero means "none" (invalid).
using trace_id = std::array<std::uint8_t, 16>;
using span_id = std::array<std::uint8_t, 8>;

// Where a span sits: its trace, its own id, and whether the trace is being recorded.
struct span_context {
  trace_id trace{};
  span_id span{};
  bool sampled = false;

  [[nodiscard]] bool valid() const;  // both ids non-zero
};

bool is_zero(const trace_id& id);
bool is_zero(const span_id& id);

// Fresh random ids, never all-zero, from a fast per-thread generator seeded by std::random_device
// (ids need to be unique, not secret).
trace_id new_trace_id();
span_id new_span_id();

// Lowercase hex, as traceparent and OTLP/JSON write ids.
std::string to_hex(const trace_id& id);
std::string to_hex(const span_id& id);

}  // namespace parley::obs::tracing
