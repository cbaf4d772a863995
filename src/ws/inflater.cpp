#include "ws/inflater.hpp"

#include <zlib.h>

#include <algorithm>
#include <stdexcept>

namespace parley::ws {
namespace {

// The tail a sender removes from each compressed message (RFC 7692 §7.2.1).
constexpr unsigned char k_tail[] = {0x00, 0x00, 0xff, 0xff};
// Output grows by at most this much per inflate call.
constexpr std::size_t k_step = 16 * 1024;

}  // namespace

inflater::inflater(bool keep_context)
    : stream_(std::make_unique<z_stream_s>()), keep_context_(keep_context) {
  // Raw DEFLATE, the largest window: it reads whatever window size the client chose.
  if (inflateInit2(stream_.get(), -15) != Z_OK) throw std::bad_alloc();
}

inflater::~inflater() {
  inflateEnd(stream_.get());
}

inflate_status inflater::inflate(std::string_view compressed, bool last, std::string& out,
                                 std::size_t limit) {
  if (const auto status = run(compressed, out, limit); status != inflate_status::ok) return status;
  if (!last) return inflate_status::ok;
  auto status = inflate_status::ok;
  if (!ended_) status = run({reinterpret_cast<const char*>(k_tail), sizeof k_tail}, out, limit);
  // After a final block the next message starts a new stream (RFC 7692 §7.2.3.4).
  if (ended_ || !keep_context_) inflateReset(stream_.get());
  ended_ = false;
  return status;
}

inflate_status inflater::run(std::string_view input, std::string& out, std::size_t limit) {
  if (ended_) return inflate_status::ok;  // what follows a final block is ignored, as zlib does
  auto& z = *stream_;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  z.avail_in = static_cast<uInt>(input.size());
  while (true) {
    if (out.size() > limit) return inflate_status::too_big;
    // One byte beyond the limit is room enough to see that the message is too big.
    const std::size_t room = std::min(limit - out.size() + 1, k_step);
    const std::size_t before = out.size();
    out.resize(before + room);
    z.next_out = reinterpret_cast<Bytef*>(out.data() + before);
    z.avail_out = static_cast<uInt>(room);
    const int rc = ::inflate(&z, Z_SYNC_FLUSH);
    out.resize(before + room - z.avail_out);
    if (out.size() > limit) return inflate_status::too_big;
    if (rc == Z_STREAM_END) {
      ended_ = true;
      return inflate_status::ok;
    }
    if (rc == Z_BUF_ERROR) {
      if (z.avail_in == 0) return inflate_status::ok;  // consumed everything, nothing pending
      if (z.avail_out == 0) continue;
      return inflate_status::corrupt;
    }
    if (rc != Z_OK) return inflate_status::corrupt;
    if (z.avail_in == 0 && z.avail_out != 0) return inflate_status::ok;
  }
}

}  // namespace parley::ws
