#include "message_inflater.hpp"

#include <zlib.h>

#include <new>

namespace parley::bench {

message_inflater::message_inflater() : stream_(new z_stream_s{}) {
  if (inflateInit2(stream_, -15) != Z_OK) throw std::bad_alloc();
}

message_inflater::~message_inflater() {
  inflateEnd(stream_);
  delete stream_;
}

bool message_inflater::inflate(std::string_view compressed, std::string& out) {
  static constexpr unsigned char k_tail[] = {0x00, 0x00, 0xff, 0xff};
  inflateReset(stream_);
  out.clear();
  for (const std::string_view input :
       {compressed, std::string_view(reinterpret_cast<const char*>(k_tail), sizeof k_tail)}) {
    stream_->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
    stream_->avail_in = static_cast<uInt>(input.size());
    do {
      const std::size_t before = out.size();
      out.resize(before + 4096 + input.size() * 4);
      stream_->next_out = reinterpret_cast<Bytef*>(out.data() + before);
      stream_->avail_out = static_cast<uInt>(out.size() - before);
      const int rc = ::inflate(stream_, Z_SYNC_FLUSH);
      out.resize(out.size() - stream_->avail_out);
      if (rc == Z_STREAM_END) return true;
      if (rc != Z_OK && rc != Z_BUF_ERROR) return false;
    } while (stream_->avail_in != 0 || stream_->avail_out == 0);
  }
  return true;
}

}  // namespace parley::bench
