#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "obs/tracing/ids.hpp"
#include "obs/tracing/span.hpp"

namespace parley::obs::tracing {

using attribute_value = std::variant<std::string, std::int64_t, double, bool>;

struct attribute {
  std::string key;
  attribute_value value;
};

// One finished (or finishing) span, as the exporter sends it.
struct span_record {
  std::string name;
  span_kind kind = span_kind::internal;
  trace_id trace{};
  span_id id{};
  span_id parent{};  // all-zero: a root span
  std::uint64_t start_unix_nano = 0;
  std::uint64_t end_unix_nano = 0;
  std::vector<attribute> attributes;
  span_status status = span_status::unset;
  std::string status_message;
  // Not exported: the end time is start + steady-clock duration, so a wall-clock step in
  // between cannot make a span end before it started.
  std::chrono::steady_clock::time_point steady_start{};
  bool ended = false;
};

}  // namespace parley::obs::tracing
