#pragma once

#include <concepts>
#include <cstdint>
#include <memory>
#include <string_view>

#include "obs/tracing/ids.hpp"

namespace parley::obs::tracing {

class tracer;
struct span_record;

// OTLP's numbering, so the exporter writes them as they are.
enum class span_kind : std::uint8_t { internal = 1, server = 2, producer = 4, consumer = 5 };
enum class span_status : std::uint8_t { unset = 0, ok = 1, error = 2 };

// A handle to a span being recorded, or to nothing (tracing off, or the trace not sampled):
// then every call is a no-op and the handle is two null pointers. Copies refer to the same span
// (so a handle can ride in a std::function to another loop); one thread at a time uses it, and
// only the first end() counts. A span dropped without end() is not exported.
class span {
 public:
  span() = default;

  [[nodiscard]] bool recording() const { return record_ != nullptr; }
  // This span's place in its trace (the parent of its children); invalid when not recording.
  [[nodiscard]] span_context context() const;

  void set_attribute(std::string_view key, std::string_view value);
  void set_attribute(std::string_view key, const char* value) {
    set_attribute(key, std::string_view(value));
  }
  void set_attribute(std::string_view key, double value);
  template <std::integral T>
  void set_attribute(std::string_view key, T value) {
    if constexpr (std::same_as<T, bool>) {
      set_bool(key, value);
    } else {
      set_int(key, static_cast<std::int64_t>(value));
    }
  }
  // Marks the span failed (OTLP status ERROR) with a short description.
  void set_error(std::string_view message);

  // Stamps the end time and queues the span for export (never blocks).
  void end();

 private:
  friend class tracer;
  span(tracer* owner, std::shared_ptr<span_record> record);
  void set_int(std::string_view key, std::int64_t value);
  void set_bool(std::string_view key, bool value);

  tracer* tracer_ = nullptr;
  std::shared_ptr<span_record> record_;  // null: not recording
};

}  // namespace parley::obs::tracing
