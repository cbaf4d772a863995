#include "net/event_loop.hpp"

#include <gtest/gtest.h>

#include <future>
#include <thread>
#include <vector>

namespace parley::net {
namespace {

constexpr auto k_wait = std::chrono::seconds(5);

TEST(event_loop, current_is_the_loop_on_its_thread_and_null_elsewhere) {
  event_loop loop(0);
  loop.start();
  std::promise<event_loop*> seen;
  loop.post([&] { seen.set_value(event_loop::current()); });
  auto future = seen.get_future();
  ASSERT_EQ(future.wait_for(k_wait), std::future_status::ready);
  EXPECT_EQ(future.get(), &loop);
  EXPECT_EQ(event_loop::current(), nullptr);
}

TEST(event_loop, batched_tasks_run_on_the_target_thread_in_order) {
  // Target first, so it is destroyed last: the source's thread may still be inside its post.
  event_loop target(1);
  event_loop source(0);
  source.start();
  target.start();
  std::vector<int> ran;  // written on target's thread only
  std::promise<void> done;
  source.post([&] {
    for (int i = 0; i < 100; ++i) {
      source.post_batched(target, [&, i] {
        EXPECT_EQ(event_loop::current(), &target);
        ran.push_back(i);
        if (i == 99) done.set_value();
      });
    }
  });
  ASSERT_EQ(done.get_future().wait_for(k_wait), std::future_status::ready);
  source.stop();
  target.stop();  // `ran` is read below: its writer must be done
  std::vector<int> expected;
  for (int i = 0; i < 100; ++i) expected.push_back(i);
  EXPECT_EQ(ran, expected);
}

TEST(event_loop, tasks_for_the_loop_itself_run_together_in_one_end_of_turn) {
  event_loop loop(0);
  loop.start();
  std::vector<std::string> order;  // loop thread only
  std::promise<void> done;
  loop.post([&] {
    loop.post([&] { order.emplace_back("posted before"); });
    loop.post_batched(loop, [&] {
      order.emplace_back("batched");
      // Handed on again from the end of the turn: still runs in it.
      loop.post_batched(loop, [&] { order.emplace_back("batched again"); });
    });
    loop.post([&] {
      order.emplace_back("posted after");
      done.set_value();
    });
    order.emplace_back("handler");
  });
  ASSERT_EQ(done.get_future().wait_for(k_wait), std::future_status::ready);
  EXPECT_EQ(order, (std::vector<std::string>{"handler", "posted before", "batched", "batched again",
                                             "posted after"}));
}

}  // namespace
}  // namespace parley::net
