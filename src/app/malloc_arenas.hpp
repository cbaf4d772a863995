#pragma once

namespace parley::app {

// Caps the number of glibc malloc arenas every thread shares (mallopt M_ARENA_MAX); 0 leaves
// glibc's own choice (8 per core, or MALLOC_ARENA_MAX / GLIBC_TUNABLES). Call it before any other
// thread starts: a thread keeps the arena it first allocated from.
//
// Why one is the default: malloc_trim, which memory_release calls, gives back the free pages in
// the middle of every arena but trims only the main arena's top. A loop thread's own arena keeps
// its whole free top resident until that thread frees something big enough itself, so after a
// flood on a loop that then goes quiet, tens of MiB stayed. With one arena every thread's memory
// is in the main one, which malloc_trim returns in full. The price is one arena lock for all
// threads on allocations the per-thread cache (tcache) does not serve; the fan-out allocates once
// per broadcast, not per recipient (bench/RESULTS.md has the figure).
//
// Returns whether the limit was set (false: 0, or not glibc).
bool limit_malloc_arenas(unsigned arenas);

}  // namespace parley::app
