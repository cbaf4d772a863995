#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace parley::obs::tracing {

// Where the exporter posts: the parts of an http:// URL.
struct http_endpoint {
  std::string host;  // a name or an address; an IPv6 address without its brackets
  std::uint16_t port = 80;
  std::string target = "/v1/traces";  // path and query
  std::string host_header;            // as the URL wrote it: "collector:4318", "[::1]:4318"
};

// Reads "http://host[:port][/path]". A URL without a path gets OTLP's "/v1/traces".
// Throws std::invalid_argument with the reason (https, a missing host, a bad port), since an
// endpoint is only read at start-up.
http_endpoint parse_http_endpoint(std::string_view url);

}  // namespace parley::obs::tracing
