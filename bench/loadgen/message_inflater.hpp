#pragma once

#include <string>
#include <string_view>

struct z_stream_s;

namespace parley::bench {

// Inflates whole permessage-deflate messages (RFC 7692) sent with server_no_context_takeover:
// each on its own, the 00 00 ff ff tail put back.
class message_inflater {
 public:
  message_inflater();
  ~message_inflater();
  message_inflater(const message_inflater&) = delete;
  message_inflater& operator=(const message_inflater&) = delete;

  // `out` := the inflated message; false when `compressed` is not DEFLATE.
  bool inflate(std::string_view compressed, std::string& out);

 private:
  z_stream_s* stream_;
};

}  // namespace parley::bench
