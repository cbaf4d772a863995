#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "obs/tracing/ids.hpp"

namespace parley::obs::tracing {

// Reads a W3C `traceparent` header ("00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>").
// Nothing for anything malformed: upper-case hex, all-zero ids, version ff, a version 00 value
// with extra characters. A later version is read by its version-00 prefix, as the spec asks.
// The span id of the result is the caller's span: the parent of ours.
std::optional<span_context> parse_traceparent(std::string_view header);

// The version-00 header for `context` (flags 01 when sampled, 00 otherwise).
std::string format_traceparent(const span_context& context);

}  // namespace parley::obs::tracing
