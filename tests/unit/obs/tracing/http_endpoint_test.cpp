#include "obs/tracing/http_endpoint.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace parley::obs::tracing {
namespace {

TEST(tracing_http_endpoint, reads_host_port_and_path) {
  const auto endpoint = parse_http_endpoint("http://localhost:4318/v1/traces");
  EXPECT_EQ(endpoint.host, "localhost");
  EXPECT_EQ(endpoint.port, 4318);
  EXPECT_EQ(endpoint.target, "/v1/traces");
  EXPECT_EQ(endpoint.host_header, "localhost:4318");
}

TEST(tracing_http_endpoint, port_80_and_the_otlp_path_are_the_defaults) {
  const auto endpoint = parse_http_endpoint("http://jaeger");
  EXPECT_EQ(endpoint.host, "jaeger");
  EXPECT_EQ(endpoint.port, 80);
  EXPECT_EQ(endpoint.target, "/v1/traces");
  EXPECT_EQ(endpoint.host_header, "jaeger");
}

TEST(tracing_http_endpoint, keeps_a_query_and_reads_ipv6_literals) {
  auto endpoint = parse_http_endpoint("http://10.0.0.7:9/otlp/v1/traces?tenant=a");
  EXPECT_EQ(endpoint.host, "10.0.0.7");
  EXPECT_EQ(endpoint.port, 9);
  EXPECT_EQ(endpoint.target, "/otlp/v1/traces?tenant=a");
  endpoint = parse_http_endpoint("http://[::1]:4318/v1/traces");
  EXPECT_EQ(endpoint.host, "::1");
  EXPECT_EQ(endpoint.port, 4318);
  EXPECT_EQ(endpoint.host_header, "[::1]:4318");
  endpoint = parse_http_endpoint("http://h?x=1");
  EXPECT_EQ(endpoint.target, "/?x=1");
}

TEST(tracing_http_endpoint, refuses_what_it_cannot_post_to) {
  for (const std::string_view bad :
       {"", "localhost:4318", "https://collector/v1/traces", "ftp://x/", "http://", "http://:4318/",
        "http://host:/", "http://host:0/", "http://host:65536/", "http://host:43a8/",
        "http://user@host/", "http://::1:4318/", "http://[::1/", "http://[::1]x/"}) {
    EXPECT_THROW(parse_http_endpoint(bad), std::invalid_argument) << bad;
  }
}

}  // namespace
}  // namespace parley::obs::tracing
