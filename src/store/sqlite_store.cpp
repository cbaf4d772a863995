#include "store/sqlite_store.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <limits>
#include <stdexcept>
#include <unordered_map>

#include "obs/log.hpp"
#include "obs/metrics/store_metrics.hpp"
#include "obs/tracing/tracer.hpp"

namespace parley::store {
namespace {

// Appends queued beyond this (the disk stalled for minutes) are dropped and counted rather than
// kept: memory stays bounded, and the chat goes on from memory.
constexpr std::size_t k_max_queued_events = 1'000'000;
// How often expired events are deleted.
constexpr std::chrono::seconds k_trim_interval{60};

constexpr const char* k_schema = R"sql(
CREATE TABLE IF NOT EXISTS rooms (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  reserved_until INTEGER NOT NULL  -- ids below it may have been handed out
);
CREATE TABLE IF NOT EXISTS events (
  room INTEGER NOT NULL,
  id INTEGER NOT NULL,
  ts INTEGER NOT NULL,    -- milliseconds since the Unix epoch
  kind INTEGER NOT NULL,  -- 0 message, 1 join, 2 leave
  user TEXT NOT NULL,
  age INTEGER,
  text TEXT,
  client_id TEXT,
  PRIMARY KEY (room, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS events_by_time ON events (ts);
)sql";

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A prepared statement, finalized when it goes.
class statement {
 public:
  statement(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) {
      throw std::runtime_error(sqlite3_errmsg(db));
    }
  }
  ~statement() { sqlite3_finalize(stmt_); }
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;

  statement& bind(int index, std::int64_t value) {
    sqlite3_bind_int64(stmt_, index, value);
    return *this;
  }
  statement& bind(int index, std::string_view text) {
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    return *this;
  }
  statement& bind_null(int index) {
    sqlite3_bind_null(stmt_, index);
    return *this;
  }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int step() { return sqlite3_step(stmt_); }
  // Runs a statement that returns no rows, then resets it for the next bindings; throws on error.
  void run() {
    const int result = step();
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    if (result != SQLITE_DONE && result != SQLITE_ROW)
      throw std::runtime_error(sqlite3_errmsg(db_));
  }
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  [[nodiscard]] std::int64_t integer(int column) const {
    return sqlite3_column_int64(stmt_, column);
  }
  [[nodiscard]] bool is_null(int column) const {
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
  }
  [[nodiscard]] std::string text(int column) const {
    const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    return data == nullptr
               ? std::string{}
               : std::string(data, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

void execute(sqlite3* db, const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error != nullptr ? error : sqlite3_errmsg(db);
    sqlite3_free(error);
    throw std::runtime_error(message);
  }
}

sqlite3* open_database(const std::string& file) {
  sqlite3* db = nullptr;
  const int result = sqlite3_open_v2(
      file.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (result != SQLITE_OK) {
    std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(result);
    sqlite3_close(db);
    throw std::runtime_error(message);
  }
  sqlite3_busy_timeout(db, 5000);
  execute(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
  return db;
}

}  // namespace

// One room's log. Its fields are fixed at start-up but for the database key, which the writer
// sets when it first writes a new room, and the settled id.
class sqlite_store::log final : public room_log {
 public:
  log(sqlite_store& store, std::string name, std::int64_t key, std::uint64_t first_free,
      std::int64_t last_event_ms)
      : store_(store),
        name_(std::move(name)),
        key_(key),
        first_free_(first_free),
        last_event_ms_(last_event_ms),
        settled_(first_free == 0 ? 0 : first_free - 1) {}

  [[nodiscard]] std::uint64_t first_free_id() const override { return first_free_; }
  [[nodiscard]] std::int64_t last_event_ms() const override { return last_event_ms_; }
  void append(event e) override;
  void reserve(std::uint64_t until, std::function<void(bool)> done) override;
  [[nodiscard]] std::uint64_t settled_id() const override {
    return settled_.load(std::memory_order_acquire);
  }
  void read(std::uint64_t after, std::uint64_t before, std::size_t limit,
            std::function<void(bool, std::vector<event>)> done) override;
  void release(std::uint64_t next_id) override;

  const std::string& name() const { return name_; }
  // The rooms table's id; 0 until the writer has inserted the room.
  std::int64_t key() const { return key_.load(std::memory_order_acquire); }
  void set_key(std::int64_t key) { key_.store(key, std::memory_order_release); }
  void settle(std::uint64_t id) {
    if (id > settled_.load(std::memory_order_relaxed))
      settled_.store(id, std::memory_order_release);
  }

 private:
  sqlite_store& store_;
  const std::string name_;
  std::atomic<std::int64_t> key_;
  const std::uint64_t first_free_;
  const std::int64_t last_event_ms_;
  std::atomic<std::uint64_t> settled_;
};

struct sqlite_store::write {
  enum class kind : std::uint8_t { append, reserve, release } what;
  log* room;
  event appended;                  // append
  std::uint64_t id = 0;            // reserve: until; release: the next id
  std::function<void(bool)> done;  // reserve
};

struct sqlite_store::read {
  log* room;
  std::uint64_t after;
  std::uint64_t before;
  std::size_t limit;
  std::function<void(bool, std::vector<event>)> done;
};

void sqlite_store::log::append(event e) {
  store_.queue_write({write::kind::append, this, std::move(e), 0, {}});
}

void sqlite_store::log::reserve(std::uint64_t until, std::function<void(bool)> done) {
  store_.queue_write({write::kind::reserve, this, {}, until, std::move(done)});
}

void sqlite_store::log::release(std::uint64_t next_id) {
  store_.queue_write({write::kind::release, this, {}, next_id, {}});
}

void sqlite_store::log::read(std::uint64_t after, std::uint64_t before, std::size_t limit,
                             std::function<void(bool, std::vector<event>)> done) {
  store_.queue_read({this, after, before, limit, std::move(done)});
}

sqlite_store::sqlite_store(sqlite_settings settings) : settings_(std::move(settings)) {
  namespace fs = std::filesystem;
  const fs::path folder(settings_.folder);
  const std::string file = (folder / "parley.db").string();
  try {
    fs::create_directories(folder);
    lock_fd_ = ::open((folder / "parley.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock_fd_ < 0) throw std::runtime_error(std::strerror(errno));
    if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
      throw std::runtime_error("another parley process uses this folder");
    }
    writer_db_ = open_database(file);
    execute(writer_db_, k_schema);
    // Proves the file can be written now, rather than at the first message.
    execute(writer_db_, "BEGIN IMMEDIATE; PRAGMA user_version = 1; COMMIT;");
    reader_db_ = open_database(file);

    std::unordered_map<std::int64_t, std::pair<std::uint64_t, std::int64_t>> newest;  // room ->
    statement last(writer_db_, "SELECT room, max(id), max(ts) FROM events GROUP BY room");
    while (last.step() == SQLITE_ROW) {
      newest[last.integer(0)] = {static_cast<std::uint64_t>(last.integer(1)), last.integer(2)};
    }
    statement rooms(writer_db_, "SELECT id, name, reserved_until FROM rooms");
    while (rooms.step() == SQLITE_ROW) {
      const std::int64_t key = rooms.integer(0);
      const auto [last_id, last_ms] = newest[key];
      // After a crash, ids up to the last reservation may have been handed out: continue above.
      const std::uint64_t first_free =
          std::max<std::uint64_t>(static_cast<std::uint64_t>(rooms.integer(2)), last_id + 1);
      auto name = rooms.text(1);
      logs_.emplace(name, std::make_shared<log>(*this, name, key, first_free, last_ms));
    }
  } catch (const std::exception& error) {
    close();
    throw std::runtime_error(
        fmt::format("storage.path: cannot use '{}': {}", settings_.folder, error.what()));
  }
  last_trim_ = std::chrono::steady_clock::now() - k_trim_interval;  // trim soon after start
  writer_ = std::thread([this] { writer_main(); });
  reader_ = std::thread([this] { reader_main(); });
}

sqlite_store::~sqlite_store() {
  close();
}

std::vector<std::string> sqlite_store::room_names() {
  std::lock_guard lock(logs_mutex_);
  std::vector<std::string> names;
  names.reserve(logs_.size());
  for (const auto& [name, log] : logs_) names.push_back(name);
  return names;
}

std::shared_ptr<room_log> sqlite_store::open(std::string_view room) {
  std::lock_guard lock(logs_mutex_);
  if (const auto found = logs_.find(room); found != logs_.end()) return found->second;
  // A new room: its record is written with its first reservation (no disk work here, on a loop).
  auto made = std::make_shared<log>(*this, std::string(room), 0, 1, 0);
  logs_.emplace(std::string(room), made);
  return made;
}

void sqlite_store::close() {
  if (closed_) return;
  closed_ = true;
  {
    std::lock_guard lock(writes_mutex_);
    stopping_ = true;
  }
  writes_ready_.notify_all();
  {
    std::lock_guard lock(reads_mutex_);
    reads_stopping_ = true;
  }
  reads_ready_.notify_all();
  if (writer_.joinable()) writer_.join();
  if (reader_.joinable()) reader_.join();
  sqlite3_close(reader_db_);
  sqlite3_close(writer_db_);
  reader_db_ = writer_db_ = nullptr;
  if (lock_fd_ >= 0) ::close(lock_fd_);
  lock_fd_ = -1;
}

void sqlite_store::queue_write(write w) {
  bool wake = true;
  {
    std::lock_guard lock(writes_mutex_);
    if (w.what == write::kind::append) {
      if (queued_events_ >= k_max_queued_events || stopping_) {
        obs::metrics::store_counters().events_dropped.fetch_add(1, std::memory_order_relaxed);
        return;  // never settled past: memory keeps the event until it is evicted anyway
      }
      ++queued_events_;
      // The writer waits for a first write, then out the commit interval, which more appends do
      // not shorten: waking it for each (a futex call here, two context switches there) cost the
      // loop more than the SQLite work itself.
      wake = writes_.empty();
    } else if (w.what == write::kind::reserve) {
      reservation_queued_ = true;
    }
    writes_.push_back(std::move(w));
  }
  if (wake) writes_ready_.notify_one();
}

void sqlite_store::queue_read(read r) {
  {
    std::lock_guard lock(reads_mutex_);
    if (!reads_stopping_) {
      reads_.push_back(std::move(r));
      reads_ready_.notify_one();
      return;
    }
  }
  r.done(false, {});  // the store is closing
}

void sqlite_store::writer_main() {
  std::vector<write> batch;
  auto last_commit = std::chrono::steady_clock::now() - settings_.commit_interval;
  while (true) {
    {
      std::unique_lock lock(writes_mutex_);
      writes_ready_.wait(lock, [&] { return stopping_ || !writes_.empty(); });
      if (writes_.empty()) break;  // stopping, and everything is written
      // Group commit: wait out the interval (unless a room waits for ids, or we are stopping),
      // gathering what arrives meanwhile into one transaction.
      writes_ready_.wait_until(lock, last_commit + settings_.commit_interval,
                               [&] { return stopping_ || reservation_queued_; });
      batch.swap(writes_);
      queued_events_ = 0;
      reservation_queued_ = false;
    }
    last_commit = std::chrono::steady_clock::now();
    const bool ok = commit(batch);
    for (auto& w : batch) {
      if (w.what == write::kind::append) w.room->settle(w.appended.id);
      if (w.done) w.done(ok);
    }
    batch.clear();
    if (std::chrono::steady_clock::now() - last_trim_ >= k_trim_interval) trim(now_ms());
  }
}

bool sqlite_store::commit(std::vector<write>& batch) {
  auto& metrics = obs::metrics::store_counters();
  const auto started = std::chrono::steady_clock::now();
  auto span = settings_.tracer != nullptr
                  ? settings_.tracer->start_span("storage batch", obs::tracing::span_kind::internal)
                  : obs::tracing::span{};
  // Every append of the batch, whether or not its insert ran before a failure: all of them are
  // dropped when the batch is rolled back.
  const auto appended = static_cast<std::size_t>(std::count_if(
      batch.begin(), batch.end(), [](const write& w) { return w.what == write::kind::append; }));
  std::vector<log*> recorded;  // rooms whose record this batch inserts
  try {
    execute(writer_db_, "BEGIN");
    statement insert_room(writer_db_, "INSERT INTO rooms (name, reserved_until) VALUES (?, 1)");
    statement insert_event(writer_db_,
                           "INSERT OR REPLACE INTO events (room, id, ts, kind, user, age, text, "
                           "client_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    statement reserve(writer_db_,
                      "UPDATE rooms SET reserved_until = max(reserved_until, ?) WHERE id = ?");
    statement release(writer_db_, "UPDATE rooms SET reserved_until = ? WHERE id = ?");
    statement trim_room(writer_db_, "DELETE FROM events WHERE room = ? AND id <= ?");
    std::unordered_map<log*, std::uint64_t> newest;  // rooms appended to: their last id
    for (auto& w : batch) {
      if (w.room->key() == 0) {
        insert_room.bind(1, w.room->name()).run();
        w.room->set_key(sqlite3_last_insert_rowid(writer_db_));
        recorded.push_back(w.room);
      }
      const std::int64_t key = w.room->key();
      switch (w.what) {
        case write::kind::append: {
          const event& e = w.appended;
          insert_event.bind(1, key)
              .bind(2, static_cast<std::int64_t>(e.id))
              .bind(3, e.ts_ms)
              .bind(4, static_cast<std::int64_t>(e.kind))
              .bind(5, e.user);
          if (e.age) {
            insert_event.bind(6, static_cast<std::int64_t>(*e.age));
          } else {
            insert_event.bind_null(6);
          }
          if (e.kind == event_kind::message) {
            insert_event.bind(7, e.text);
          } else {
            insert_event.bind_null(7);
          }
          if (e.client_id.empty()) {
            insert_event.bind_null(8);
          } else {
            insert_event.bind(8, e.client_id);
          }
          insert_event.run();
          newest[w.room] = e.id;
          break;
        }
        case write::kind::reserve:
          reserve.bind(1, static_cast<std::int64_t>(w.id)).bind(2, key).run();
          break;
        case write::kind::release:
          release.bind(1, static_cast<std::int64_t>(w.id)).bind(2, key).run();
          break;
      }
    }
    for (const auto& [room, last] : newest) {
      if (last > settings_.max_events) {
        trim_room.bind(1, room->key())
            .bind(2, static_cast<std::int64_t>(last - settings_.max_events))
            .run();
      }
    }
    execute(writer_db_, "COMMIT");
  } catch (const std::exception& error) {
    sqlite3_exec(writer_db_, "ROLLBACK", nullptr, nullptr, nullptr);
    // Records of new rooms were rolled back too: the next batch makes them again, rather than
    // the rooms keeping keys SQLite will hand to other new rooms.
    for (auto* room : recorded) room->set_key(0);
    metrics.write_failures.add();
    metrics.events_dropped.fetch_add(appended, std::memory_order_relaxed);
    // Once a minute at most: a full disk fails every batch.
    if (started - last_failure_logged_ >= k_trim_interval) {
      last_failure_logged_ = started;
      obs::server_log().warn(
          "history store: a batch of {} writes failed and was dropped (the chat goes on from "
          "memory; parley_storage_write_failures_total counts them): {}",
          batch.size(), error.what());
    }
    if (span.recording()) {
      span.set_error(error.what());
      span.end();
    }
    return false;
  }
  const auto took = std::chrono::steady_clock::now() - started;
  metrics.events_written.add(appended);
  metrics.batch_latency.observe(took);
  if (span.recording()) {
    span.set_attribute("storage.writes", batch.size());
    span.set_attribute("storage.events", appended);
    span.end();
  }
  return true;
}

void sqlite_store::trim(std::int64_t now) {
  last_trim_ = std::chrono::steady_clock::now();
  const std::int64_t oldest = now - std::chrono::milliseconds(settings_.max_age).count();
  try {
    statement expired(writer_db_, "DELETE FROM events WHERE ts < ?");
    expired.bind(1, oldest).run();
  } catch (const std::exception& error) {
    obs::server_log().warn("history store: deleting expired events failed: {}", error.what());
  }
}

void sqlite_store::reader_main() {
  while (true) {
    read next;
    {
      std::unique_lock lock(reads_mutex_);
      reads_ready_.wait(lock, [&] { return reads_stopping_ || !reads_.empty(); });
      if (reads_.empty()) break;
      next = std::move(reads_.front());
      reads_.pop_front();
    }
    answer(next);
  }
}

void sqlite_store::answer(read& r) {
  auto& metrics = obs::metrics::store_counters();
  std::vector<event> events;
  const std::int64_t key = r.room->key();
  if (key == 0 || r.limit == 0 || r.before <= r.after + 1) {
    metrics.reads.add();
    r.done(true, std::move(events));
    return;
  }
  try {
    statement select(reader_db_,
                     "SELECT id, ts, kind, user, age, text, client_id FROM events "
                     "WHERE room = ? AND id > ? AND id < ? AND ts >= ? ORDER BY id DESC LIMIT ?");
    const auto before = std::min<std::uint64_t>(r.before, std::numeric_limits<std::int64_t>::max());
    select.bind(1, key)
        .bind(2, static_cast<std::int64_t>(r.after))
        .bind(3, static_cast<std::int64_t>(before))
        .bind(4, now_ms() - std::chrono::milliseconds(settings_.max_age).count())
        .bind(5, static_cast<std::int64_t>(std::min<std::size_t>(r.limit, 1U << 30)));
    int result = SQLITE_ROW;
    while ((result = select.step()) == SQLITE_ROW) {
      event e;
      e.id = static_cast<std::uint64_t>(select.integer(0));
      e.ts_ms = select.integer(1);
      e.kind = static_cast<event_kind>(select.integer(2));
      e.user = select.text(3);
      if (!select.is_null(4)) e.age = static_cast<unsigned>(select.integer(4));
      e.text = select.text(5);
      e.client_id = select.text(6);
      events.push_back(std::move(e));
    }
    if (result != SQLITE_DONE) throw std::runtime_error(sqlite3_errmsg(reader_db_));
  } catch (const std::exception& error) {
    metrics.read_failures.add();
    obs::server_log().warn("history store: a read of room '{}' failed: {}", r.room->name(),
                           error.what());
    r.done(false, {});
    return;
  }
  std::reverse(events.begin(), events.end());
  metrics.reads.add();
  r.done(true, std::move(events));
}

}  // namespace parley::store
