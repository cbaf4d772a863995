#pragma once

#include <atomic>
#include <cstdint>

#include "obs/metrics/loop_metrics.hpp"

namespace parley::obs::metrics {

// What the history store counts. Each loop_counter has one writer: the store's writer thread or
// its reader thread, as marked.
struct store_metrics {
  loop_histogram batch_latency;  // writer: one batch, from BEGIN to COMMIT
  loop_counter events_written;   // writer
  loop_counter write_failures;   // writer: batches rolled back (disk full, I/O error)
  loop_counter reads;            // reader: history reads answered from the store
  loop_counter read_failures;    // reader
  // Events never written: the queue was over its bound, or their batch failed. Counted by
  // whichever thread dropped them.
  std::atomic<std::uint64_t> events_dropped{0};
};

store_metrics& store_counters();

}  // namespace parley::obs::metrics
