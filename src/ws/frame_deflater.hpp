#pragma once

#include <cstddef>
#include <mutex>

#include "ws/frame_encoder.hpp"

namespace parley::ws {

// Payloads shorter than this are sent uncompressed even to peers that negotiated
// permessage-deflate (legal per message, RFC 7692 §6): deflating a short chat line saves a few
// bytes at the cost of a compressor reset.
constexpr std::size_t k_default_deflate_min_size = 128;

// The permessage-deflate form of `plain` (a final, unmasked data frame this encoder made) for
// peers that agreed to server_no_context_takeover: RSV1 set, the payload compressed as raw
// DEFLATE with the trailing 00 00 ff ff removed. Returns `plain` itself when its payload is
// shorter than `min_size` or would not shrink. Counts on event loop `loop`'s metrics. Uses the
// calling thread's compressor.
shared_frame deflate_frame(const shared_frame& plain, std::size_t min_size, std::size_t loop);

// The compressed twin of one shared frame, made once, on the first demand, by whichever loop
// asks first; the others wait for it and share it.
class deflated_twin {
 public:
  const shared_frame& of(const shared_frame& plain, std::size_t min_size, std::size_t loop) const {
    std::call_once(made_, [&] { frame_ = deflate_frame(plain, min_size, loop); });
    return frame_;
  }

 private:
  mutable std::once_flag made_;
  mutable shared_frame frame_;
};

}  // namespace parley::ws
