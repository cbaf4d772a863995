#pragma once

#include <cstdint>

namespace parley::bench {

// VmRSS of process `pid` in bytes (/proc/PID/status); -1 when it cannot be read.
std::int64_t read_rss_bytes(int pid);

// User + system CPU seconds process `pid` has used (/proc/PID/stat); -1 when unreadable.
double read_cpu_seconds(int pid);

// User + system CPU seconds of this process, all threads.
double own_cpu_seconds();

}  // namespace parley::bench
