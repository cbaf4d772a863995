#include "obs/tracing/trace_context.hpp"

#include "obs/tracing/tracer.hpp"

namespace parley::obs::tracing {

span trace_context::start_child(std::string_view name, span_kind kind) const {
  return owner != nullptr ? owner->start_span(name, kind, parent) : span{};
}

}  // namespace parley::obs::tracing
