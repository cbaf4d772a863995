#pragma once

// A history store for tests of the chat layer: records what rooms ask of it and answers only
// when the test says so, as if its threads had done the work.

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "store/history_store.hpp"

namespace parley::test_support {

class fake_room_log final : public store::room_log {
 public:
  struct reservation {
    std::uint64_t until;
    std::function<void(bool)> done;
  };
  struct read_request {
    std::uint64_t after;
    std::uint64_t before;
    std::size_t limit;
    std::function<void(bool, std::vector<store::event>)> done;
  };

  explicit fake_room_log(std::uint64_t first_free = 1, std::int64_t last_event_ms = 0)
      : first_free_(first_free), last_event_ms_(last_event_ms) {}

  std::uint64_t first_free_id() const override { return first_free_; }
  std::int64_t last_event_ms() const override { return last_event_ms_; }
  void append(store::event e) override { appended.push_back(std::move(e)); }
  void reserve(std::uint64_t until, std::function<void(bool)> done) override {
    reservations.push_back({until, std::move(done)});
  }
  std::uint64_t settled_id() const override { return settled; }
  void read(std::uint64_t after, std::uint64_t before, std::size_t limit,
            std::function<void(bool, std::vector<store::event>)> done) override {
    reads.push_back({after, before, limit, std::move(done)});
  }
  void release(std::uint64_t next_id) override { released.push_back(next_id); }

  // Says the oldest pending reservation is on disk (or failed).
  void grant(bool durable = true) {
    ASSERT_FALSE(reservations.empty()) << "no reservation to grant";
    auto next = std::move(reservations.front());
    reservations.erase(reservations.begin());
    granted.push_back(next.until);
    next.done(durable);
  }
  // Answers the oldest pending read with `events`.
  void answer(std::vector<store::event> events, bool ok = true) {
    ASSERT_FALSE(reads.empty()) << "no read to answer";
    auto next = std::move(reads.front());
    reads.erase(reads.begin());
    next.done(ok, std::move(events));
  }

  std::vector<store::event> appended;
  std::vector<reservation> reservations;  // pending
  std::vector<std::uint64_t> granted;     // the `until` of each reservation granted
  std::vector<read_request> reads;        // pending
  std::vector<std::uint64_t> released;
  std::uint64_t settled = 0;

 private:
  std::uint64_t first_free_;
  std::int64_t last_event_ms_;
};

class fake_history_store final : public store::history_store {
 public:
  std::vector<std::string> room_names() override {
    std::vector<std::string> names;
    for (const auto& [name, log] : logs) names.push_back(name);
    return names;
  }
  std::shared_ptr<store::room_log> open(std::string_view room) override {
    auto& log = logs[std::string(room)];
    if (!log) log = std::make_shared<fake_room_log>();
    return log;
  }
  void close() override {}

  fake_room_log& log(const std::string& room) {
    open(room);
    return *logs.at(room);
  }

  std::map<std::string, std::shared_ptr<fake_room_log>> logs;
};

}  // namespace parley::test_support
