// The permessage-deflate inflate path. The first byte chooses how the input is cut into frames
// and whether the context is kept; the rest is inflated as client messages would be, under a
// small limit. Properties: no crash, output never beyond the limit plus the one byte that shows
// it is too big, and any bytes zlib compresses come back unchanged whatever the cuts.
#include <zlib.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "ws/inflater.hpp"

namespace {

constexpr std::size_t k_limit = 4096;

// Inflates `body` as one message cut into pieces of `piece` bytes; false once it failed.
bool inflate_cut(parley::ws::inflater& in, std::string_view body, std::size_t piece,
                 std::string& out) {
  std::size_t at = 0;
  do {
    const auto part = body.substr(at, piece);
    at += part.size();
    const auto status = in.inflate(part, at >= body.size(), out, k_limit);
    if (out.size() > k_limit + 1) std::abort();
    if (status != parley::ws::inflate_status::ok) return false;
  } while (at < body.size());
  return true;
}

std::string compress(std::string_view data) {
  z_stream z{};
  deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, data.size()) + 16, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_SYNC_FLUSH);
  out.resize(out.size() - z.avail_out - 4);  // the sync flush's 00 00 ff ff
  deflateEnd(&z);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool keep_context = (data[0] & 1) != 0;
  const std::size_t piece = (data[0] >> 1) + 1;
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);

  // Arbitrary bytes, twice on one inflater (the second message sees the first's context).
  {
    parley::ws::inflater in(keep_context);
    std::string out;
    if (inflate_cut(in, rest, piece, out)) {
      out.clear();
      inflate_cut(in, rest, piece, out);
    }
  }
  // A real compressed message comes back as it was.
  if (rest.size() <= k_limit) {
    parley::ws::inflater in(keep_context);
    std::string out;
    if (!inflate_cut(in, compress(rest), piece, out) || out != rest) std::abort();
  }
  return 0;
}
