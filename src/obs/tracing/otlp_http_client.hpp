#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "obs/tracing/http_endpoint.hpp"

namespace parley::obs::tracing {

struct post_result {
  bool ok = false;
  std::string problem;  // why not, for the log: a connect error, a timeout, "HTTP 404 ..."
};

// A small blocking HTTP/1.1 client that POSTs JSON to one collector, for the exporter thread
// only. It keeps the connection open between posts when the collector allows it, and gives a
// post one more try on a fresh connection when a kept one turns out closed; nothing else is
// retried. Every post ends by its deadline.
class otlp_http_client {
 public:
  explicit otlp_http_client(http_endpoint endpoint);
  ~otlp_http_client();
  otlp_http_client(const otlp_http_client&) = delete;
  otlp_http_client& operator=(const otlp_http_client&) = delete;

  post_result post_json(std::string body, std::chrono::steady_clock::time_point deadline);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace parley::obs::tracing
