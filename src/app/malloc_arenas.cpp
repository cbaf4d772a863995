#include "app/malloc_arenas.hpp"

#include <malloc.h>

namespace parley::app {

bool limit_malloc_arenas(unsigned arenas) {
#if defined(__GLIBC__)
  if (arenas == 0) return false;
  return mallopt(M_ARENA_MAX, static_cast<int>(arenas)) == 1;
#else
  (void)arenas;
  return false;
#endif
}

}  // namespace parley::app
