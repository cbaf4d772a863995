#include "chat/v1/error_code.hpp"

#include "obs/metrics/loop_metrics.hpp"

namespace parley::chat::v1 {

static_assert(obs::metrics::k_protocol_error_codes.size() ==
              static_cast<std::size_t>(error_code::count));

std::string_view name(error_code code) {
  return obs::metrics::k_protocol_error_codes[static_cast<std::size_t>(code)];
}

}  // namespace parley::chat::v1
