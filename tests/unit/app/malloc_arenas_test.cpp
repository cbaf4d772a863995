#include "app/malloc_arenas.hpp"

#include <gtest/gtest.h>
#include <malloc.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define PARLEY_OWN_ALLOCATOR 1  // the sanitizer's allocator, not glibc's malloc
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define PARLEY_OWN_ALLOCATOR 1
#endif
#endif

namespace parley::app {
namespace {

std::size_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t size_pages = 0;
  std::size_t resident_pages = 0;
  statm >> size_pages >> resident_pages;
  return resident_pages * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

// In a fresh process: a thread allocates ~22 MiB in small blocks (a flood's pongs), frees them and
// stays alive, idle, as a loop whose flood has left; then malloc_trim, as memory_release does.
// Exits 0 when the RSS is back within 4 MiB of where it was before the thread allocated.
[[noreturn]] void trim_after_an_idle_threads_flood(unsigned arenas) {
  limit_malloc_arenas(arenas);
  constexpr std::size_t k_blocks = 200'000;
  constexpr std::size_t k_block_size = 100;
  std::vector<void*> blocks(k_blocks);
  std::mutex mutex;
  std::condition_variable changed;
  bool freed = false;
  bool done = false;
  const std::size_t start = resident_bytes();
  std::thread loop([&] {
    for (auto& block : blocks) block = std::memset(std::malloc(k_block_size), 1, k_block_size);
    for (void* block : blocks) std::free(block);
    std::unique_lock lock(mutex);
    freed = true;
    changed.notify_all();
    changed.wait(lock, [&] { return done; });
  });
  std::unique_lock lock(mutex);
  changed.wait(lock, [&] { return freed; });
  const std::size_t before_trim = resident_bytes();
  malloc_trim(0);
  const std::size_t after_trim = resident_bytes();
  done = true;
  changed.notify_all();
  lock.unlock();
  loop.join();
  std::fprintf(stderr, "RSS %zu KiB at start, %zu KiB freed, %zu KiB trimmed\n", start / 1024,
               before_trim / 1024, after_trim / 1024);
  std::_Exit(after_trim <= start + (std::size_t{4} << 20) ? 0 : 1);
}

TEST(malloc_arenas, with_one_arena_malloc_trim_returns_what_an_idle_thread_freed) {
#if defined(PARLEY_OWN_ALLOCATOR) || !defined(__GLIBC__)
  GTEST_SKIP() << "glibc's malloc only";
#else
  // "threadsafe" runs the check in a new process: no arena of an earlier test's threads.
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(trim_after_an_idle_threads_flood(1), testing::ExitedWithCode(0), "trimmed");
#endif
}

TEST(malloc_arenas, zero_leaves_glibcs_choice) {
  EXPECT_FALSE(limit_malloc_arenas(0));
}

}  // namespace
}  // namespace parley::app
