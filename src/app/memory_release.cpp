#include "app/memory_release.hpp"

#include <malloc.h>
#include <unistd.h>

#include <chrono>
#include <fstream>

#include "net/event_loop.hpp"
#include "obs/log.hpp"
#include "obs/metrics/loop_metrics.hpp"

namespace parley::app {

namespace {
// What a connection that ends frees besides its bytes (session, handler, queue, room entry and
// the notices about it): about 4 KiB, so a crowd that leaves counts as a burst too.
constexpr std::uint64_t k_bytes_per_closed_connection = 4096;

// The resident set size from /proc/self/statm, in bytes (0 when it cannot be read).
std::uint64_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t size_pages = 0;
  std::uint64_t resident_pages = 0;
  if (!(statm >> size_pages >> resident_pages)) return 0;
  return resident_pages * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

double mebibytes(std::uint64_t bytes) {
  return static_cast<double>(bytes) / (1024.0 * 1024.0);
}

// Bytes the heap holds for the program now, in every malloc arena (chunks from mmap, which go
// back to the system when freed, are not counted); 0 where glibc's mallinfo2 is not at hand.
std::uint64_t heap_in_use() {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 33)
  return mallinfo2().uordblks;
#else
  return 0;
#endif
}

// Returns the free pages in the middle of every malloc arena to the system (madvise), and the
// main arena's top; not the top of the others, hence one arena for all threads (malloc_arenas.hpp).
void trim_heap() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}
}  // namespace

std::uint64_t output_dropped(std::span<const obs::metrics::loop_metrics> loops) {
  std::uint64_t sum = 0;
  for (const auto& loop : loops) sum += loop.output_dropped.value();
  return sum;
}

std::uint64_t activity(std::span<const obs::metrics::loop_metrics> loops) {
  std::uint64_t sum = 0;
  for (const auto& loop : loops) {
    const std::uint64_t closed =
        loop.connections_closed_http.value() + loop.connections_closed_websocket.value();
    sum += loop.bytes_in.value() + loop.bytes_out.value() + k_bytes_per_closed_connection * closed;
  }
  return sum;
}

memory_release::memory_release(net::event_loop& loop, std::size_t loop_count,
                               std::chrono::milliseconds interval, std::uint64_t after_bytes)
    : loop_(loop),
      loop_count_(loop_count),
      interval_(interval),
      policy_(after_bytes, activity(obs::metrics::loops(loop_count))),
      timer_(loop.context()) {}

void memory_release::start() {
  loop_.post([this] { do_wait(); });
}

void memory_release::do_wait() {
  timer_.expires_after(interval_);
  timer_.async_wait([this](boost::system::error_code ec) { on_tick(ec); });
}

void memory_release::on_tick(boost::system::error_code ec) {
  if (ec) return;  // operation_aborted: the loop is going away
  const auto loops = obs::metrics::loops(loop_count_);
  if (policy_.tick(activity(loops), heap_in_use(), output_dropped(loops))) release();
  do_wait();
}

void memory_release::release() {
  auto& log = obs::server_log();
  const bool logged = log.should_log(spdlog::level::debug);
  const std::uint64_t before = logged ? resident_bytes() : 0;
  const auto started = std::chrono::steady_clock::now();
  trim_heap();
  const auto took = std::chrono::steady_clock::now() - started;
  loop_.metrics().memory_releases.add();
  if (logged) {
    log.debug("returned memory to the system: RSS {:.1f} MiB -> {:.1f} MiB in {:.1f} ms",
              mebibytes(before), mebibytes(resident_bytes()),
              std::chrono::duration<double, std::milli>(took).count());
  }
}

}  // namespace parley::app
