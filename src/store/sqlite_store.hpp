#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/history_store.hpp"

struct sqlite3;

namespace parley::obs::tracing {
class tracer;
}

namespace parley::store {

struct sqlite_settings {
  std::string folder;  // made if missing; holds parley.db (+ its WAL) and a lock file
  std::chrono::milliseconds commit_interval{20};
  std::uint64_t max_events = 10'000;  // per room: older events are deleted
  std::chrono::seconds max_age{7 * 24 * 3600};
  obs::tracing::tracer* tracer = nullptr;  // spans for write batches; null: none
};

// Room history in one SQLite database (WAL mode, synchronous=NORMAL: a committed batch survives
// the process being killed; the file is never left corrupt). One writer thread takes everything
// queued and commits it in one transaction (group commit), at most once per commit interval; one
// reader thread answers reads on a connection of its own (WAL lets it read beside the writer).
// No event loop ever waits for the disk.
class sqlite_store final : public history_store {
 public:
  // Opens (or creates) the database and reads every room's id counter. Throws
  // std::runtime_error with a clear message when the folder or file cannot be made, opened,
  // written or locked (another parley uses it).
  explicit sqlite_store(sqlite_settings settings);
  ~sqlite_store() override;

  std::vector<std::string> room_names() override;
  std::shared_ptr<room_log> open(std::string_view room) override;
  void close() override;

 private:
  class log;
  struct write;
  struct read;

  void queue_write(write w);
  void queue_read(read r);
  void writer_main();
  void reader_main();
  // One transaction for a batch of writes; false when it failed (and was rolled back).
  bool commit(std::vector<write>& batch);
  void trim(std::int64_t now_ms);
  void answer(read& r);

  sqlite_settings settings_;
  int lock_fd_ = -1;              // flock'ed: one server per folder
  sqlite3* writer_db_ = nullptr;  // the writer thread's (and start-up's)
  sqlite3* reader_db_ = nullptr;  // the reader thread's

  std::mutex logs_mutex_;
  std::map<std::string, std::shared_ptr<log>, std::less<>> logs_;

  std::mutex writes_mutex_;
  std::condition_variable writes_ready_;
  std::vector<write> writes_;        // queued, not yet taken by the writer
  std::size_t queued_events_ = 0;    // appends among them
  bool reservation_queued_ = false;  // commit without waiting for the interval
  bool stopping_ = false;

  std::mutex reads_mutex_;
  std::condition_variable reads_ready_;
  std::deque<read> reads_;
  bool reads_stopping_ = false;

  std::chrono::steady_clock::time_point last_trim_{};
  std::chrono::steady_clock::time_point last_failure_logged_{};  // writer: warn once a minute
  std::thread writer_;
  std::thread reader_;
  bool closed_ = false;
};

}  // namespace parley::store
