#pragma once

// A permessage-deflate peer for the unit tests, written on zlib directly (not on the code under
// test): compresses as a client would (raw DEFLATE, sync flush, 00 00 ff ff removed) and inflates
// what the server sends.

#include <zlib.h>

#include <stdexcept>
#include <string>
#include <string_view>

namespace parley::test_support {

// A client's compressor: each message() is one permessage-deflate message body; with context
// takeover (one deflater for several messages) a later message may refer back into earlier ones.
class client_deflater {
 public:
  explicit client_deflater(int window_bits = 15) {
    if (deflateInit2(&z_, 9, Z_DEFLATED, -window_bits, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      throw std::runtime_error("deflateInit2");
    }
  }
  ~client_deflater() { deflateEnd(&z_); }
  client_deflater(const client_deflater&) = delete;
  client_deflater& operator=(const client_deflater&) = delete;

  std::string message(std::string_view text) {
    std::string out(deflateBound(&z_, text.size()) + 64, '\0');
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
    z_.avail_in = static_cast<uInt>(text.size());
    z_.next_out = reinterpret_cast<Bytef*>(out.data());
    z_.avail_out = static_cast<uInt>(out.size());
    deflate(&z_, Z_SYNC_FLUSH);
    out.resize(out.size() - z_.avail_out);
    if (out.size() < 4 || out.substr(out.size() - 4) != std::string("\0\0\xff\xff", 4)) {
      throw std::runtime_error("no sync flush tail");
    }
    out.resize(out.size() - 4);
    return out;
  }

 private:
  z_stream z_{};
};

// `text` as one permessage-deflate message body, compressed on its own.
inline std::string deflate_message(std::string_view text, int window_bits = 15) {
  return client_deflater(window_bits).message(text);
}

// Inflates one compressed message body (the tail put back); throws when it is not DEFLATE.
inline std::string inflate_message(std::string_view body) {
  std::string input(body);
  input.append("\0\0\xff\xff", 4);
  z_stream z{};
  if (inflateInit2(&z, -15) != Z_OK) throw std::runtime_error("inflateInit2");
  std::string out(1 << 20, '\0');
  z.next_in = reinterpret_cast<Bytef*>(input.data());
  z.avail_in = static_cast<uInt>(input.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&z, Z_SYNC_FLUSH);
  out.resize(out.size() - z.avail_out);
  inflateEnd(&z);
  if (rc != Z_OK && rc != Z_STREAM_END) throw std::runtime_error("not DEFLATE");
  return out;
}

}  // namespace parley::test_support
