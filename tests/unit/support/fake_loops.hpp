#pragma once

// Event loops for tests of the chat layer, all on the test's thread.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <functional>
#include <random>
#include <vector>

#include "chat/executor.hpp"

namespace parley::test_support {

// Event loops on one thread: tasks wait in one queue per loop and the test decides when and in
// which order they run, keeping only the executor's promise (each loop runs its tasks in the
// order posted).
class fake_loops final : public chat::executor {
 public:
  explicit fake_loops(std::size_t count) : posts_per_loop(count, 0), queues_(count) {}

  std::size_t loop_count() const override { return queues_.size(); }
  void post(std::size_t loop, std::function<void()> task) override {
    ASSERT_LT(loop, queues_.size());
    queues_[loop].push_back({next_sequence_++, std::move(task)});
    ++posts_per_loop[loop];
  }

  bool has_work(std::size_t loop) const { return !queues_[loop].empty(); }
  bool idle() const {
    return std::all_of(queues_.begin(), queues_.end(),
                       [](const auto& queue) { return queue.empty(); });
  }
  void run_one(std::size_t loop) {
    auto task = std::move(queues_[loop].front().task);
    queues_[loop].pop_front();
    task();
  }
  // Runs every task in the order it was posted, across all loops, until none is left.
  void run_fifo() {
    while (!idle()) {
      std::size_t oldest = 0;
      std::uint64_t oldest_sequence = UINT64_MAX;
      for (std::size_t loop = 0; loop < queues_.size(); ++loop) {
        if (has_work(loop) && queues_[loop].front().sequence < oldest_sequence) {
          oldest = loop;
          oldest_sequence = queues_[loop].front().sequence;
        }
      }
      run_one(oldest);
    }
  }
  // One task from each loop in turn.
  void run_round_robin() {
    while (!idle()) {
      for (std::size_t loop = 0; loop < queues_.size(); ++loop) {
        if (has_work(loop)) run_one(loop);
      }
    }
  }
  // Always the highest-numbered loop that has work: other loops lag far behind.
  void run_highest_loop_first() {
    while (!idle()) {
      for (std::size_t loop = queues_.size(); loop-- > 0;) {
        if (has_work(loop)) {
          run_one(loop);
          break;
        }
      }
    }
  }
  // A loop with work, picked at random.
  bool run_random_step(std::mt19937& random) {
    std::vector<std::size_t> busy;
    for (std::size_t loop = 0; loop < queues_.size(); ++loop) {
      if (has_work(loop)) busy.push_back(loop);
    }
    if (busy.empty()) return false;
    run_one(busy[random() % busy.size()]);
    return true;
  }

  std::vector<int> posts_per_loop;

 private:
  struct queued {
    std::uint64_t sequence;
    std::function<void()> task;
  };
  std::vector<std::deque<queued>> queues_;
  std::uint64_t next_sequence_ = 0;
};

// Orders in which to run the loops' tasks, each one the executor's promise allows.
enum class schedule { fifo, round_robin, highest_loop_first, random };

inline void run(fake_loops& loops, schedule how, std::uint32_t seed = 7) {
  std::mt19937 random(seed);
  switch (how) {
    case schedule::fifo:
      return loops.run_fifo();
    case schedule::round_robin:
      return loops.run_round_robin();
    case schedule::highest_loop_first:
      return loops.run_highest_loop_first();
    case schedule::random:
      while (loops.run_random_step(random)) {
      }
      return;
  }
}

}  // namespace parley::test_support
