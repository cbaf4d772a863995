#include "ws/frame_deflater.hpp"

#include <zlib.h>

#include <new>
#include <string>

#include "obs/metrics/loop_metrics.hpp"
#include "ws/deflate_negotiation.hpp"

namespace parley::ws {
namespace {

// One compressor per thread, reset for each message (no context takeover).
class thread_deflater {
 public:
  thread_deflater() {
    // Level 6 (zlib's default) and memory level 8: a 32 KiB window, a 128 KiB hash.
    if (deflateInit2(&stream_, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -k_server_window_bits, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK) {
      throw std::bad_alloc();
    }
  }
  ~thread_deflater() { deflateEnd(&stream_); }
  thread_deflater(const thread_deflater&) = delete;
  thread_deflater& operator=(const thread_deflater&) = delete;

  // `out` := the compressed `payload` without its 00 00 ff ff tail; false on a zlib failure.
  bool compress(std::string_view payload, std::string& out) {
    deflateReset(&stream_);
    out.resize(deflateBound(&stream_, payload.size()) + 16);
    stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(payload.data()));
    stream_.avail_in = static_cast<uInt>(payload.size());
    std::size_t written = 0;
    while (true) {
      stream_.next_out = reinterpret_cast<Bytef*>(out.data() + written);
      stream_.avail_out = static_cast<uInt>(out.size() - written);
      const int rc = deflate(&stream_, Z_SYNC_FLUSH);
      written = out.size() - stream_.avail_out;
      if (rc != Z_OK && rc != Z_BUF_ERROR) return false;
      if (stream_.avail_out != 0) break;  // all input taken and flushed
      out.resize(out.size() * 2);
    }
    if (written < 4) return false;
    out.resize(written - 4);  // a sync flush always ends with 00 00 ff ff
    return true;
  }

 private:
  z_stream stream_{};
};

}  // namespace

shared_frame deflate_frame(const shared_frame& plain, std::size_t min_size, std::size_t loop) {
  const std::string_view payload = server_frame_payload(*plain);
  auto& metrics = obs::metrics::for_loop(loop);
  if (payload.size() < min_size) {
    metrics.ws_compressions_skipped.add();
    return plain;
  }
  thread_local thread_deflater deflater;
  thread_local std::string compressed;
  if (!deflater.compress(payload, compressed) || compressed.size() >= payload.size()) {
    metrics.ws_compressions_skipped.add();
    return plain;
  }
  metrics.ws_compressions.add();
  metrics.ws_compression_bytes_in.add(payload.size());
  metrics.ws_compression_bytes_out.add(compressed.size());
  const auto op = static_cast<opcode>(static_cast<unsigned char>((*plain)[0]) & 0x0F);
  return std::make_shared<const std::string>(encode_deflated_frame(op, compressed));
}

}  // namespace parley::ws
