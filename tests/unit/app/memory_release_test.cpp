#include "app/memory_release.hpp"

#include <gtest/gtest.h>

#include <array>

#include "obs/metrics/loop_metrics.hpp"

namespace parley::app {
namespace {

TEST(memory_release, activity_sums_every_loops_bytes_and_weighs_closed_connections) {
  std::array<obs::metrics::loop_metrics, 2> loops;
  EXPECT_EQ(activity(loops), 0U);
  loops[0].bytes_in.add(100);
  loops[1].bytes_out.add(20);
  EXPECT_EQ(activity(loops), 120U);
  loops[0].connections_closed_http.add();
  loops[1].connections_closed_websocket.add(2);
  EXPECT_EQ(activity(loops), 120U + 3 * 4096);
  loops[1].messages_delivered.add(1000);  // counted in bytes_out already
  EXPECT_EQ(activity(loops), 120U + 3 * 4096);
}

}  // namespace
}  // namespace parley::app
