#include "obs/tracing/exporter.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "obs/log.hpp"
#include "obs/tracing/tracer.hpp"

namespace parley::obs::tracing {
namespace {

using namespace std::chrono_literals;

// A loopback port nobody listens on: bound, read, and closed again.
std::uint16_t closed_port() {
  boost::asio::io_context context;
  boost::asio::ip::tcp::acceptor acceptor(context, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

class tracing_exporter : public ::testing::Test {
 protected:
  void SetUp() override { init_logging({.level = "off"}); }
  void TearDown() override { init_logging({.level = "info"}); }
};

TEST_F(tracing_exporter, an_unreachable_collector_loses_the_batch_once_and_stop_is_prompt) {
  tracer_settings settings;
  settings.enabled = true;
  settings.endpoint = "http://127.0.0.1:" + std::to_string(closed_port()) + "/v1/traces";
  settings.batch_delay = 60s;  // only the final flush sends
  tracer tracer(settings);
  tracer.start_exporter();
  for (int i = 0; i < 3; ++i) tracer.start_span("x", span_kind::internal).end();

  const auto started = std::chrono::steady_clock::now();
  tracer.stop_exporter();
  EXPECT_LT(std::chrono::steady_clock::now() - started, settings.final_flush_timeout + 1s);
  EXPECT_EQ(tracer.counters().failed_requests.load(), 1U);  // not retried
  EXPECT_EQ(tracer.counters().lost_spans.load(), 3U);
  EXPECT_EQ(tracer.counters().exported_spans.load(), 0U);
}

TEST_F(tracing_exporter, stopping_an_idle_exporter_sends_nothing) {
  tracer_settings settings;
  settings.enabled = true;
  settings.endpoint = "http://127.0.0.1:" + std::to_string(closed_port()) + "/v1/traces";
  tracer tracer(settings);
  tracer.start_exporter();
  tracer.stop_exporter();
  EXPECT_EQ(tracer.counters().failed_requests.load(), 0U);
}

}  // namespace
}  // namespace parley::obs::tracing
