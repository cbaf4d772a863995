#include "store/sqlite_store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "obs/log.hpp"
#include "obs/metrics/store_metrics.hpp"

namespace parley::store {
namespace {

using namespace std::chrono_literals;

constexpr auto k_timeout = 10s;  // for a callback of the store's threads (a slow CI disk)
constexpr std::uint64_t k_all = UINT64_MAX;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A folder of its own under the system's temporary folder, removed afterwards.
class temp_folder {
 public:
  temp_folder() {
    std::string pattern = (std::filesystem::temp_directory_path() / "parley-store-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~temp_folder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  temp_folder(const temp_folder&) = delete;
  temp_folder& operator=(const temp_folder&) = delete;
  [[nodiscard]] std::string path() const { return path_.string(); }
  [[nodiscard]] std::string database() const { return (path_ / "parley.db").string(); }

 private:
  std::filesystem::path path_;
};

// A value a store thread hands over once; the test waits for it with a timeout.
template <class T>
class promised {
 public:
  // Notifies under the lock: the waiter may destroy this as soon as it sees the value.
  void set(T value) {
    std::lock_guard lock(mutex_);
    value_ = std::move(value);
    ready_.notify_all();
  }
  // The value, or nothing when it did not come within the timeout.
  std::optional<T> wait() {
    std::unique_lock lock(mutex_);
    ready_.wait_for(lock, k_timeout, [&] { return value_.has_value(); });
    return value_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::optional<T> value_;
};

// Reserves ids below `until` and waits until that is on disk; false when it failed. Writes are
// taken in order, so everything appended before is written (or given up on) by then too.
bool reserve(room_log& log, std::uint64_t until) {
  promised<bool> durable;
  log.reserve(until, [&](bool ok) { durable.set(ok); });
  const auto result = durable.wait();
  EXPECT_TRUE(result.has_value()) << "the reservation was not answered in time";
  return result.value_or(false);
}

struct read_result {
  bool ok = false;
  std::vector<event> events;
};

read_result read(room_log& log, std::uint64_t after, std::uint64_t before, std::size_t limit) {
  promised<read_result> answer;
  log.read(after, before, limit, [&](bool ok, std::vector<event> events) {
    answer.set({ok, std::move(events)});
  });
  const auto result = answer.wait();
  EXPECT_TRUE(result.has_value()) << "the read was not answered in time";
  return result.value_or(read_result{});
}

std::vector<std::uint64_t> ids(const std::vector<event>& events) {
  std::vector<std::uint64_t> out;
  for (const auto& e : events) out.push_back(e.id);
  return out;
}

event message(std::uint64_t id, std::string text = "m", std::int64_t ts = now_ms()) {
  return {
      .id = id, .ts_ms = ts, .kind = event_kind::message, .user = "alice", .text = std::move(text)};
}

// Batches committed (or rolled back) so far, process-wide: one latency observation each.
std::uint64_t batches_committed() {
  const auto& buckets = obs::metrics::store_counters().batch_latency.buckets();
  return std::accumulate(
      buckets.begin(), buckets.end(), std::uint64_t{0},
      [](std::uint64_t sum, const auto& bucket) { return sum + bucket.value(); });
}

// A connection of the test's own to the store's database, as another process would have.
class raw_database {
 public:
  explicit raw_database(const std::string& file) {
    if (sqlite3_open(file.c_str(), &db_) != SQLITE_OK) ADD_FAILURE() << sqlite3_errmsg(db_);
    sqlite3_busy_timeout(db_, 5000);
  }
  ~raw_database() { sqlite3_close(db_); }
  raw_database(const raw_database&) = delete;
  raw_database& operator=(const raw_database&) = delete;

  void execute(const char* sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << (error != nullptr ? error : "?");
    }
    sqlite3_free(error);
  }
  // The one integer `sql` selects (-1 when it selects no row).
  std::int64_t integer(const char* sql) {
    sqlite3_stmt* statement = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql, -1, &statement, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db_);
    std::int64_t value = -1;
    if (sqlite3_step(statement) == SQLITE_ROW) value = sqlite3_column_int64(statement, 0);
    sqlite3_finalize(statement);
    return value;
  }

 private:
  sqlite3* db_ = nullptr;
};

class sqlite_store_test : public ::testing::Test {
 protected:
  void SetUp() override { obs::init_logging({.level = "off"}); }
  void TearDown() override { obs::init_logging({.level = "info"}); }

  [[nodiscard]] sqlite_settings settings() const {
    return {.folder = folder_.path(), .commit_interval = 20ms};
  }

  temp_folder folder_;
};

// --- writing and reading ----------------------------------------------------------------------

TEST_F(sqlite_store_test, reads_back_every_field_of_every_kind_of_event) {
  sqlite_store store(settings());
  auto log = store.open("lobby");
  EXPECT_EQ(log->first_free_id(), 1U);
  EXPECT_EQ(log->last_event_ms(), 0);
  ASSERT_TRUE(reserve(*log, 4097));
  const std::int64_t ts = now_ms();
  log->append({.id = 1, .ts_ms = ts, .kind = event_kind::join, .user = "alice", .age = 30});
  log->append({.id = 2, .ts_ms = ts, .kind = event_kind::join, .user = "b\"ob"});
  log->append({.id = 3,
               .ts_ms = ts + 1,
               .kind = event_kind::message,
               .user = "alice",
               .text = "hi\n\xC3\xA9",
               .client_id = "c-1"});
  log->append(message(4, ""));
  log->append({.id = 5, .ts_ms = ts + 2, .kind = event_kind::leave, .user = "b\"ob"});
  ASSERT_TRUE(reserve(*log, 4097));
  EXPECT_EQ(log->settled_id(), 5U);

  const auto result = read(*log, 0, k_all, 100);
  ASSERT_TRUE(result.ok);
  ASSERT_EQ(ids(result.events), (std::vector<std::uint64_t>{1, 2, 3, 4, 5}));
  const auto& joined = result.events[0];
  EXPECT_EQ(joined.kind, event_kind::join);
  EXPECT_EQ(joined.ts_ms, ts);
  EXPECT_EQ(joined.user, "alice");
  EXPECT_EQ(joined.age, 30U);
  EXPECT_FALSE(result.events[1].age.has_value());
  EXPECT_EQ(result.events[1].user, "b\"ob");
  const auto& said = result.events[2];
  EXPECT_EQ(said.kind, event_kind::message);
  EXPECT_EQ(said.ts_ms, ts + 1);
  EXPECT_EQ(said.text, "hi\n\xC3\xA9");
  EXPECT_EQ(said.client_id, "c-1");
  EXPECT_EQ(result.events[3].text, "");
  EXPECT_EQ(result.events[3].client_id, "");
  EXPECT_EQ(result.events[4].kind, event_kind::leave);
  EXPECT_EQ(result.events[4].text, "");
}

TEST_F(sqlite_store_test, reads_the_newest_limit_between_two_ids_oldest_first) {
  sqlite_store store(settings());
  auto log = store.open("lobby");
  ASSERT_TRUE(reserve(*log, 4097));
  for (std::uint64_t id = 1; id <= 20; ++id) log->append(message(id));
  ASSERT_TRUE(reserve(*log, 4097));
  EXPECT_EQ(ids(read(*log, 0, 6, 100).events), (std::vector<std::uint64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(ids(read(*log, 0, 6, 2).events), (std::vector<std::uint64_t>{4, 5}));
  EXPECT_EQ(ids(read(*log, 17, k_all, 100).events), (std::vector<std::uint64_t>{18, 19, 20}));
  EXPECT_EQ(ids(read(*log, 0, k_all, 3).events), (std::vector<std::uint64_t>{18, 19, 20}));
  EXPECT_TRUE(read(*log, 5, 6, 100).events.empty());
  EXPECT_TRUE(read(*log, 0, k_all, 0).events.empty());
  EXPECT_TRUE(read(*log, 20, k_all, 100).ok);
}

TEST_F(sqlite_store_test, reads_nothing_of_a_room_never_written) {
  sqlite_store store(settings());
  auto log = store.open("empty");
  const auto result = read(*log, 0, k_all, 50);
  EXPECT_TRUE(result.ok);
  EXPECT_TRUE(result.events.empty());
}

TEST_F(sqlite_store_test, keeps_rooms_apart) {
  sqlite_store store(settings());
  auto lobby = store.open("lobby");
  auto dev = store.open("dev");
  EXPECT_EQ(store.open("lobby"), lobby);  // one log per room
  ASSERT_TRUE(reserve(*lobby, 4097));
  ASSERT_TRUE(reserve(*dev, 4097));
  lobby->append(message(1, "in lobby"));
  dev->append(message(1, "in dev"));
  dev->append(message(2, "in dev"));
  ASSERT_TRUE(reserve(*dev, 4097));
  const auto in_lobby = read(*lobby, 0, k_all, 100).events;
  ASSERT_EQ(in_lobby.size(), 1U);
  EXPECT_EQ(in_lobby[0].text, "in lobby");
  EXPECT_EQ(read(*dev, 0, k_all, 100).events.size(), 2U);
}

// --- group commit -----------------------------------------------------------------------------

TEST_F(sqlite_store_test, commits_what_arrives_within_the_interval_in_one_batch) {
  auto long_interval = settings();
  long_interval.commit_interval = 1h;  // only a reservation or closing starts a batch early
  sqlite_store store(long_interval);
  auto log = store.open("lobby");
  ASSERT_TRUE(reserve(*log, 4097));  // the first batch: nothing was committed before
  const auto batches_before = batches_committed();
  const auto written_before = obs::metrics::store_counters().events_written.value();

  for (std::uint64_t id = 1; id <= 100; ++id) log->append(message(id));
  EXPECT_EQ(log->settled_id(), 0U);  // waiting for the interval
  ASSERT_TRUE(reserve(*log, 8193));  // a room waiting for ids does not wait for the interval

  EXPECT_EQ(log->settled_id(), 100U);
  EXPECT_EQ(batches_committed() - batches_before, 1U) << "100 appends and a reservation";
  EXPECT_EQ(obs::metrics::store_counters().events_written.value() - written_before, 100U);
}

TEST_F(sqlite_store_test, commits_appends_within_the_interval_without_being_asked) {
  sqlite_store store(settings());
  auto log = store.open("lobby");
  ASSERT_TRUE(reserve(*log, 4097));
  for (std::uint64_t id = 1; id <= 3; ++id) log->append(message(id));
  // No reservation, no close: the interval alone commits them (20 ms; waited for up to 10 s).
  const auto deadline = std::chrono::steady_clock::now() + k_timeout;
  while (log->settled_id() < 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  EXPECT_EQ(log->settled_id(), 3U);
  EXPECT_EQ(ids(read(*log, 0, k_all, 100).events), (std::vector<std::uint64_t>{1, 2, 3}));
}

// --- ids across restarts ----------------------------------------------------------------------

TEST_F(sqlite_store_test, persists_a_reservation_before_saying_it_is_durable) {
  sqlite_store store(settings());
  auto log = store.open("lobby");
  promised<std::int64_t> on_disk;
  log->reserve(4097, [&](bool ok) {
    EXPECT_TRUE(ok);
    // Read by another connection the moment the store says so: a crash now keeps it.
    raw_database other(folder_.database());
    on_disk.set(other.integer("SELECT reserved_until FROM rooms WHERE name = 'lobby'"));
  });
  EXPECT_EQ(on_disk.wait(), 4097);
}

TEST_F(sqlite_store_test, continues_above_the_reservation_after_an_unclean_stop) {
  {
    sqlite_store store(settings());
    auto log = store.open("lobby");
    ASSERT_TRUE(reserve(*log, 4097));
    for (std::uint64_t id = 1; id <= 5; ++id) log->append(message(id, "m", 1000 + id));
    ASSERT_TRUE(reserve(*log, 4097));
    // No release(): as after kill -9, ids up to the reservation may have been handed out.
  }
  sqlite_store reopened(settings());
  EXPECT_EQ(reopened.room_names(), std::vector<std::string>{"lobby"});
  auto log = reopened.open("lobby");
  EXPECT_EQ(log->first_free_id(), 4097U);
  EXPECT_EQ(log->settled_id(), 4096U);
  EXPECT_EQ(log->last_event_ms(), 1005);
}

TEST_F(sqlite_store_test, continues_right_after_the_last_id_after_a_release) {
  {
    sqlite_store store(settings());
    auto log = store.open("lobby");
    ASSERT_TRUE(reserve(*log, 4097));
    for (std::uint64_t id = 1; id <= 5; ++id) log->append(message(id));
    log->release(6);  // a clean stop: ids from 6 on were never handed out
    store.close();
  }
  sqlite_store reopened(settings());
  auto log = reopened.open("lobby");
  EXPECT_EQ(log->first_free_id(), 6U);
  const auto result = read(*log, 0, k_all, 100);
  EXPECT_EQ(ids(result.events), (std::vector<std::uint64_t>{1, 2, 3, 4, 5}));
}

TEST_F(sqlite_store_test, continues_above_the_last_stored_id_whatever_the_reservation_says) {
  {
    sqlite_store store(settings());
    auto log = store.open("lobby");
    ASSERT_TRUE(reserve(*log, 4097));
    for (std::uint64_t id = 1; id <= 5; ++id) log->append(message(id));
    log->release(3);  // a release below stored ids must not make them be handed out again
  }
  sqlite_store reopened(settings());
  EXPECT_EQ(reopened.open("lobby")->first_free_id(), 6U);
}

TEST_F(sqlite_store_test, writes_everything_queued_when_closed) {
  auto long_interval = settings();
  long_interval.commit_interval = 1h;
  {
    sqlite_store store(long_interval);
    auto log = store.open("lobby");
    ASSERT_TRUE(reserve(*log, 4097));
    for (std::uint64_t id = 1; id <= 50; ++id) log->append(message(id));
    log->release(51);
  }  // the destructor closes
  sqlite_store reopened(settings());
  auto log = reopened.open("lobby");
  EXPECT_EQ(log->first_free_id(), 51U);
  EXPECT_EQ(read(*log, 0, k_all, 100).events.size(), 50U);
}

TEST_F(sqlite_store_test, lists_a_room_created_in_an_earlier_run) {
  {
    sqlite_store store(settings());
    ASSERT_TRUE(reserve(*store.open("b-room"), 4097));
    ASSERT_TRUE(reserve(*store.open("a.room"), 4097));
    store.open("never-written");  // no record until its first write
  }
  sqlite_store reopened(settings());
  auto names = reopened.room_names();
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"a.room", "b-room"}));
  EXPECT_EQ(reopened.open("never-written")->first_free_id(), 1U);
}

// --- trimming ---------------------------------------------------------------------------------

TEST_F(sqlite_store_test, keeps_the_newest_max_events_per_room) {
  auto few = settings();
  few.max_events = 5;
  sqlite_store store(few);
  auto log = store.open("lobby");
  auto other = store.open("other");
  ASSERT_TRUE(reserve(*log, 4097));
  ASSERT_TRUE(reserve(*other, 4097));
  for (std::uint64_t id = 1; id <= 12; ++id) log->append(message(id));
  for (std::uint64_t id = 1; id <= 3; ++id) other->append(message(id));
  ASSERT_TRUE(reserve(*log, 4097));
  EXPECT_EQ(ids(read(*log, 0, k_all, 100).events), (std::vector<std::uint64_t>{8, 9, 10, 11, 12}));
  EXPECT_EQ(read(*other, 0, k_all, 100).events.size(), 3U);  // trimmed per room
  log->append(message(13));
  ASSERT_TRUE(reserve(*log, 4097));
  EXPECT_EQ(ids(read(*log, 0, k_all, 100).events), (std::vector<std::uint64_t>{9, 10, 11, 12, 13}));
}

TEST_F(sqlite_store_test, deletes_and_never_reads_events_older_than_max_age) {
  const std::int64_t now = now_ms();
  {
    sqlite_store store(settings());  // keeps a week
    auto log = store.open("lobby");
    ASSERT_TRUE(reserve(*log, 4097));
    log->append(message(1, "old", now - 2 * 3600 * 1000));
    log->append(message(2, "old", now - 3600 * 1000 - 1000));
    log->append(message(3, "new", now - 60 * 1000));
    log->append(message(4, "new", now));
    log->release(5);
  }
  auto short_lived = settings();
  short_lived.max_age = std::chrono::hours(1);
  {
    sqlite_store store(short_lived);
    auto log = store.open("lobby");
    EXPECT_EQ(ids(read(*log, 0, k_all, 100).events), (std::vector<std::uint64_t>{3, 4}));
    // The first batch after start-up also deletes what expired; closing waits for it.
    ASSERT_TRUE(reserve(*log, 4097));
  }
  raw_database file(folder_.database());
  EXPECT_EQ(file.integer("SELECT count(*) FROM events"), 2);
  EXPECT_EQ(file.integer("SELECT min(id) FROM events"), 3);
}

// --- failures ---------------------------------------------------------------------------------

// Makes every insert of an event fail, as a full disk would, until allow() (a trigger: part of
// the schema, so the store's own connection obeys it).
class failing_inserts {
 public:
  explicit failing_inserts(const std::string& database) : db_(database) {
    db_.execute(
        "CREATE TRIGGER fail_inserts BEFORE INSERT ON events "
        "BEGIN SELECT RAISE(ABORT, 'disk full (test)'); END");
  }
  void allow() { db_.execute("DROP TRIGGER IF EXISTS fail_inserts"); }

 private:
  raw_database db_;
};

// Batches in these tests are started by reservations alone (after the first, which starts at
// once), so which writes share a batch is certain.
sqlite_settings batched_by_reservations(sqlite_settings settings) {
  settings.commit_interval = std::chrono::hours(1);
  return settings;
}

TEST_F(sqlite_store_test, counts_a_failed_batch_and_its_events_and_goes_on) {
  sqlite_store store(batched_by_reservations(settings()));
  auto log = store.open("lobby");
  ASSERT_TRUE(reserve(*log, 4097));
  auto& counters = obs::metrics::store_counters();
  const auto failures_before = counters.write_failures.value();
  const auto dropped_before = counters.events_dropped.load();

  failing_inserts disk_full(folder_.database());
  for (std::uint64_t id = 1; id <= 3; ++id) log->append(message(id));
  EXPECT_FALSE(reserve(*log, 8193)) << "the reservation shared the failed batch";
  EXPECT_EQ(counters.write_failures.value() - failures_before, 1U);
  EXPECT_EQ(counters.events_dropped.load() - dropped_before, 3U);
  EXPECT_EQ(log->settled_id(), 3U);  // given up on: memory may let them go

  disk_full.allow();
  log->append(message(4));
  EXPECT_TRUE(reserve(*log, 8193));
  EXPECT_EQ(counters.write_failures.value() - failures_before, 1U);
  EXPECT_EQ(ids(read(*log, 0, k_all, 100).events), (std::vector<std::uint64_t>{4}));
}

TEST_F(sqlite_store_test, a_room_whose_first_batch_failed_keeps_its_own_history) {
  sqlite_store store(batched_by_reservations(settings()));
  ASSERT_TRUE(reserve(*store.open("zero"), 4097));  // the first batch, which starts at once
  auto first = store.open("first");
  failing_inserts disk_full(folder_.database());
  first->append(message(1, "first's"));
  EXPECT_FALSE(reserve(*first, 4097));  // its record was rolled back with the batch
  disk_full.allow();

  auto second = store.open("second");
  ASSERT_TRUE(reserve(*second, 4097));
  second->append(message(1, "second's"));
  first->append(message(2, "first's"));
  ASSERT_TRUE(reserve(*first, 4097));
  ASSERT_TRUE(reserve(*second, 4097));

  const auto in_first = read(*first, 0, k_all, 100).events;
  ASSERT_EQ(in_first.size(), 1U);
  EXPECT_EQ(in_first[0].id, 2U);
  EXPECT_EQ(in_first[0].text, "first's");
  const auto in_second = read(*second, 0, k_all, 100).events;
  ASSERT_EQ(in_second.size(), 1U);
  EXPECT_EQ(in_second[0].text, "second's");

  store.close();
  sqlite_store reopened(settings());
  EXPECT_EQ(reopened.open("first")->first_free_id(), 4097U);
  EXPECT_EQ(reopened.open("second")->first_free_id(), 4097U);
}

TEST_F(sqlite_store_test, answers_a_read_after_close_with_failure) {
  sqlite_store store(settings());
  auto log = store.open("lobby");
  store.close();
  const auto result = read(*log, 0, k_all, 10);
  EXPECT_FALSE(result.ok);
}

TEST_F(sqlite_store_test, refuses_a_folder_another_store_holds) {
  sqlite_store store(settings());
  try {
    sqlite_store second(settings());
    ADD_FAILURE() << "a second store opened the same folder";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("another parley process uses this folder"),
              std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace parley::store
