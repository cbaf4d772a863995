#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

struct z_stream_s;

namespace parley::ws {

enum class inflate_status {
  ok,
  too_big,  // the message inflates beyond the limit: close 1009
  corrupt,  // not a DEFLATE stream: close 1007
};

// Inflates the compressed messages (RFC 7692 §7.2.2) of one connection, frame by frame, never
// producing more than a limit: a small "zip bomb" costs at most the limit in memory and work.
class inflater {
 public:
  // `keep_context`: the client compresses with context takeover, so each message may refer back
  // to the ones before it (the window stays from message to message).
  explicit inflater(bool keep_context);
  ~inflater();
  inflater(const inflater&) = delete;
  inflater& operator=(const inflater&) = delete;

  // Appends the inflation of `compressed` (one frame's payload) to `out`; `last`: the frame ends
  // the message (the 00 00 ff ff its sender removed is put back). Fails as soon as `out` would
  // grow beyond `limit` bytes. After a failure the inflater must not be used again.
  inflate_status inflate(std::string_view compressed, bool last, std::string& out,
                         std::size_t limit);

 private:
  inflate_status run(std::string_view input, std::string& out, std::size_t limit);

  std::unique_ptr<z_stream_s> stream_;
  bool keep_context_;
  bool ended_ = false;  // the message's DEFLATE stream ended (a block with BFINAL set)
};

}  // namespace parley::ws
