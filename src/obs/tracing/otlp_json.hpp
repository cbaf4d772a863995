#pragma once

#include <span>
#include <string>
#include <string_view>

#include "obs/tracing/span_record.hpp"

namespace parley::obs::tracing {

// An OTLP/HTTP JSON ExportTraceServiceRequest for `spans`: one resource (service.name) and one
// instrumentation scope ("parley"). Ids are lowercase hex and times decimal strings of unix
// nanoseconds, as OTLP/JSON specifies; text that is not UTF-8 is replaced, never an exception.
std::string encode_otlp_json(std::span<const span_record> spans, std::string_view service_name);

}  // namespace parley::obs::tracing
