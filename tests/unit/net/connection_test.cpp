// Connections on a real event_loop over socketpairs (written in review of the epoll set). The first
// two pin down that readiness left over after one dispatch (more than k_ready_per_wakeup sockets,
// or more than k_reads_per_wakeup buffers on one) is reported again: Asio watches the loop's epoll
// set edge-triggered, and the kernel does not signal it again for level-triggered entries left
// ready; only the EPOLL_CTL_MOD with which Asio's epoll reactor (Boost 1.81) starts a
// non-speculative async_wait re-checks it.
#include "net/connection.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include "net/event_loop.hpp"

namespace parley::net {
namespace {

struct counting_handler final : connection_handler {
  explicit counting_handler(std::atomic<std::size_t>& bytes) : bytes_(bytes) {}
  std::size_t on_data(std::span<char> bytes) override {
    bytes_ += bytes.size();
    return bytes.size();
  }
  void on_shutdown() override {}
  void on_slow_consumer() override {}
  void on_disconnect() override {}
  std::atomic<std::size_t>& bytes_;
};

bool wait_for(const std::atomic<std::size_t>& value, std::size_t wanted,
              std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  // Polling the loop's counter, with a limit: waiting for an event, not timing one.
  while (value.load() < wanted && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  return value.load() >= wanted;
}

TEST(connection_test, more_ready_sockets_than_one_dispatch_takes_are_all_read) {
  constexpr std::size_t k_sockets = 300;  // more than k_ready_per_wakeup (256)
  std::atomic<std::size_t> received{0};
  std::vector<int> peers;
  {
    event_loop loop(0);
    for (std::size_t i = 0; i < k_sockets; ++i) {
      int pair[2];
      ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair), 0);
      peers.push_back(pair[1]);
      auto conn = std::make_shared<connection>(loop, pair[0]);
      conn->start(std::make_unique<counting_handler>(received));  // loop not running yet
      ASSERT_EQ(::write(pair[1], "x", 1), 1);                     // every socket is ready at once
    }
    loop.start();
    EXPECT_TRUE(wait_for(received, k_sockets, std::chrono::seconds(2)))
        << "read " << received.load() << " of " << k_sockets << " bytes";
    // Any new event on the loop's set un-sticks the rest.
    ASSERT_EQ(::write(peers.front(), "y", 1), 1);
    EXPECT_TRUE(wait_for(received, k_sockets + 1, std::chrono::seconds(2)))
        << "after one more byte: " << received.load();
    loop.stop();
  }
  for (int fd : peers) ::close(fd);
}

TEST(connection_test, a_peer_sending_more_than_four_buffers_at_once_is_read_to_the_end) {
  std::atomic<std::size_t> received{0};
  int pair[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair), 0);
  const int big = 8 << 20;
  ::setsockopt(pair[1], SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof big);  // root only
  ::setsockopt(pair[1], SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
  std::vector<char> chunk(16 * 1024, 'z');
  std::size_t written = 0;
  while (written < 400 * 1024) {  // more than k_reads_per_wakeup * 64 KiB
    const ssize_t n = ::write(pair[1], chunk.data(), chunk.size());
    if (n <= 0) break;
    written += static_cast<std::size_t>(n);
  }
  if (written <= std::size_t{4 * 64 * 1024})
    GTEST_SKIP() << "the socket buffer takes only " << written
                 << " bytes (SO_SNDBUFFORCE needs root)";
  {
    event_loop loop(0);
    auto conn = std::make_shared<connection>(loop, pair[0]);
    conn->start(std::make_unique<counting_handler>(received));
    loop.start();
    EXPECT_TRUE(wait_for(received, written, std::chrono::seconds(2)))
        << "read " << received.load() << " of " << written << " bytes";
    loop.stop();
  }
  ::close(pair[1]);
}

// A handler whose reactions the test scripts; it records what it was told.
struct scripted_handler final : connection_handler {
  transport* conn = nullptr;
  std::function<void(std::span<char>)> data;
  std::function<void()> slow;
  std::atomic<std::size_t>* received = nullptr;
  std::atomic<int>* disconnects = nullptr;
  std::atomic<int>* slow_calls = nullptr;
  std::size_t on_data(std::span<char> bytes) override {
    if (received) *received += bytes.size();
    if (data) data(bytes);
    return bytes.size();
  }
  void on_shutdown() override { conn->close_after_flush(); }
  void on_slow_consumer() override {
    if (slow_calls) ++*slow_calls;
    if (slow) slow();
  }
  void on_disconnect() override {
    if (disconnects) ++*disconnects;
  }
};

std::pair<int, int> make_pair_fds() {
  int pair[2];
  EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair), 0);
  return {pair[0], pair[1]};
}

template <class F>
void run_on(event_loop& loop, F&& f) {
  std::promise<void> done;
  loop.post([&] {
    f();
    done.set_value();
  });
  ASSERT_EQ(done.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready);
}

std::string read_until_eof(int fd, std::chrono::milliseconds limit) {
  std::string all;
  const int flags = ::fcntl(fd, F_GETFL);
  ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  timeval tv{static_cast<time_t>(limit.count() / 1000),
             static_cast<suseconds_t>((limit.count() % 1000) * 1000)};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    all.append(buf, static_cast<std::size_t>(n));
  }
  return all;
}

TEST(connection_test, a_connection_closed_by_an_earlier_entry_of_the_same_batch_is_not_read) {
  std::atomic<std::size_t> received_a{0}, received_b{0};
  std::atomic<int> disconnects{0};
  auto [a, peer_a] = make_pair_fds();
  auto [b, peer_b] = make_pair_fds();
  std::weak_ptr<connection> weak_b;
  {
    event_loop loop(0);
    auto conn_b = std::make_shared<connection>(loop, b);
    weak_b = conn_b;
    auto hb = std::make_unique<scripted_handler>();
    hb->conn = conn_b.get();
    hb->received = &received_b;
    hb->disconnects = &disconnects;
    auto conn_a = std::make_shared<connection>(loop, a);
    auto ha = std::make_unique<scripted_handler>();
    ha->conn = conn_a.get();
    ha->received = &received_a;
    ha->disconnects = &disconnects;
    connection* raw_b = conn_b.get();
    connection* raw_a = conn_a.get();
    // Whichever comes first in the batch closes the other.
    ha->data = [raw_b](std::span<char>) { raw_b->close_now(); };
    hb->data = [raw_a](std::span<char>) { raw_a->close_now(); };
    conn_a->start(std::move(ha));
    conn_b->start(std::move(hb));
    conn_a.reset();
    conn_b.reset();
    ASSERT_EQ(::write(peer_a, "a", 1), 1);
    ASSERT_EQ(::write(peer_b, "b", 1), 1);
    loop.start();
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (disconnects.load() < 1 && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    EXPECT_EQ(received_a.load() + received_b.load(), 1U) << "the closed one was read too";
    ::close(peer_a);
    ::close(peer_b);
    while (disconnects.load() < 2 &&
           std::chrono::steady_clock::now() < until + std::chrono::seconds(2))
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    EXPECT_EQ(disconnects.load(), 2);
    loop.stop();
  }
  EXPECT_TRUE(weak_b.expired());
}

TEST(connection_test, slow_consumer_gets_whole_frames_then_the_last_one_then_eof) {
  output_limits limits{64 * 1024, 32 * 1024, std::chrono::milliseconds(10'000)};
  std::atomic<int> slow_calls{0}, disconnects{0};
  auto [fd, peer] = make_pair_fds();
  const int small = 4096;
  ::setsockopt(peer, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
  std::weak_ptr<connection> weak;
  {
    event_loop loop(0, limits);
    auto conn = std::make_shared<connection>(loop, fd);
    weak = conn;
    auto h = std::make_unique<scripted_handler>();
    h->conn = conn.get();
    h->slow_calls = &slow_calls;
    h->disconnects = &disconnects;
    connection* raw = conn.get();
    h->slow = [raw] {
      raw->send_last("BYE!");
      raw->close_after_flush();
    };
    conn->start(std::move(h));
    loop.start();
    // Turns of 1000-byte frames; the peer reads nothing meanwhile. Each run_on is a round trip
    // through the loop, so the on_slow_consumer posted in one turn has run by the next.
    for (int turn = 0; turn < 50 && slow_calls.load() == 0; ++turn) {
      run_on(loop, [&] {
        for (int i = 0; i < 40; ++i) {
          std::string frame(1000, static_cast<char>('A' + (turn + i) % 26));
          frame[0] = '<';
          frame[999] = '>';
          raw->send(std::move(frame));
        }
      });
    }
    conn.reset();
    run_on(loop, [] {});  // anything the last turns posted has run
    EXPECT_EQ(slow_calls.load(), 1);
    const std::string got = read_until_eof(peer, std::chrono::milliseconds(3000));
    ASSERT_GE(got.size(), 4U);
    EXPECT_EQ(got.substr(got.size() - 4), "BYE!");
    EXPECT_EQ((got.size() - 4) % 1000, 0U) << "a frame was cut: " << got.size();
    for (std::size_t at = 0; at + 4 < got.size(); at += 1000) {
      ASSERT_EQ(got[at], '<') << at;
      ASSERT_EQ(got[at + 999], '>') << at;
    }
    ::close(peer);
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    while (disconnects.load() < 1 && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    EXPECT_EQ(disconnects.load(), 1);
    loop.stop();
  }
  EXPECT_TRUE(weak.expired());
}

TEST(connection_test, a_loop_destroyed_with_open_flushing_and_finishing_connections_frees_them) {
  std::vector<std::weak_ptr<connection>> weak;
  std::vector<int> peers;
  {
    // The loop never runs: what the connections post (a deferred flush, a finished one's
    // release) is still pending when it is destroyed, as when a server stops mid-turn.
    event_loop loop(0);
    std::vector<connection*> raws;
    for (int i = 0; i < 6; ++i) {
      auto [fd, peer] = make_pair_fds();
      peers.push_back(peer);
      auto conn = std::make_shared<connection>(loop, fd);
      weak.push_back(conn);
      auto h = std::make_unique<scripted_handler>();
      h->conn = conn.get();
      conn->start(std::move(h));
      raws.push_back(conn.get());
    }
    raws[0]->send(std::string(100, 'x'));  // flush deferred to the end of the turn
    raws[1]->close_now();                  // release posted
    raws[2]->start_timer(std::chrono::hours(1));
    raws[3]->close_after_flush();  // draining with a linger deadline
  }
  for (auto& w : weak) EXPECT_TRUE(w.expired());
  for (int peer : peers) {
    char c;
    EXPECT_EQ(::read(peer, &c, 1), 0) << "socket left open";  // EOF: nothing was flushed
    ::close(peer);
  }
}

TEST(connection_test, above_the_soft_limit_in_a_quiet_room_is_closed_when_the_grace_period_ends) {
  // One burst past the soft limit (under the hard one), then nothing more is queued: the check
  // when output is queued never comes again, so only the grace period's own timer can close it.
  constexpr auto k_grace = std::chrono::milliseconds(200);
  output_limits limits{1 << 20, 16 * 1024, k_grace};
  std::atomic<int> slow_calls{0};
  auto [fd, peer] = make_pair_fds();
  const int small = 4096;
  ::setsockopt(peer, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
  {
    event_loop loop(0, limits);
    auto conn = std::make_shared<connection>(loop, fd);
    auto h = std::make_unique<scripted_handler>();
    h->conn = conn.get();
    h->slow_calls = &slow_calls;
    connection* raw = conn.get();
    conn->start(std::move(h));
    loop.start();
    const auto burst_at = std::chrono::steady_clock::now();
    run_on(loop, [&] {
      for (int i = 0; i < 100; ++i) raw->send(std::string(1000, 'x'));  // 100 KB, never read
    });
    conn.reset();
    const auto until = burst_at + k_grace + std::chrono::seconds(1);
    // Polling the handler's count, with a limit: waiting for an event, not timing one.
    while (slow_calls.load() == 0 && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    const auto took = std::chrono::steady_clock::now() - burst_at;
    EXPECT_EQ(slow_calls.load(), 1) << "still connected a second after its grace period";
    EXPECT_GE(took, k_grace);
    loop.stop();
  }
  ::close(peer);
}

TEST(connection_test, a_socket_send_buffer_limit_is_set_on_each_connection) {
  output_limits limits;
  limits.socket_send_buffer = 64 * 1024;
  auto [fd, peer] = make_pair_fds();
  {
    event_loop loop(0, limits);
    auto conn = std::make_shared<connection>(loop, fd);
    auto h = std::make_unique<scripted_handler>();
    h->conn = conn.get();
    conn->start(std::move(h));
    int size = 0;
    socklen_t length = sizeof size;
    ASSERT_EQ(::getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, &length), 0);
    EXPECT_EQ(size, 2 * 64 * 1024);  // Linux doubles it for its bookkeeping
    conn.reset();
  }
  ::close(peer);
}

}  // namespace
}  // namespace parley::net
