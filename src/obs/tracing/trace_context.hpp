#pragma once

#include <string_view>

#include "obs/tracing/ids.hpp"
#include "obs/tracing/span.hpp"

namespace parley::obs::tracing {

// Where a connection's spans hang: the tracer and its upgrade span. Decided once, at the
// upgrade; when that span is not recorded (tracing off, not sampled) neither are its children,
// and child() costs one branch.
struct trace_context {
  tracer* owner = nullptr;
  span_context parent;  // sampled only when `owner` records this connection

  [[nodiscard]] span child(std::string_view name, span_kind kind) const {
    return parent.sampled ? start_child(name, kind) : span{};
  }

 private:
  [[nodiscard]] span start_child(std::string_view name, span_kind kind) const;
};

}  // namespace parley::obs::tracing
