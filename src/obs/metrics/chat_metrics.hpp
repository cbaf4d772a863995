#pragma once

#include "obs/metrics/loop_metrics.hpp"

namespace parley::obs::metrics {

// What the chat counts outside the event loops' own counters.
struct chat_metrics {
  loop_counter rooms;  // rooms the server holds; written under the room directory's lock
};

chat_metrics& chat_counters();

}  // namespace parley::obs::metrics
