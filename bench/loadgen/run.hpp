#pragma once

#include "options.hpp"
#include "report.hpp"

namespace parley::bench {

// Runs one benchmark as `opts` says: starts the workers, drives the phases (join, then per mode:
// nothing, RSS settling, or warmup/measure/drain), stops the workers and adds up their counts.
// Throws std::runtime_error when the host cannot be resolved.
run_report run(const options& opts);

}  // namespace parley::bench
