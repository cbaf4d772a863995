#pragma once

#include <memory>

#include "config/options.hpp"
#include "store/history_store.hpp"

namespace parley::obs::tracing {
class tracer;
}

namespace parley::app {

// The history store storage.engine names: SQLite under storage.path, or none (memory). Throws
// std::runtime_error with a clear message when the store cannot be used.
std::unique_ptr<store::history_store> make_store(const config::options& options,
                                                 obs::tracing::tracer* tracer);

}  // namespace parley::app
