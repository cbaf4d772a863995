// Parses arbitrary bytes as a stream of client frames, unmasking each complete one.
#include <string>

#include "ws/frame_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string buffer(reinterpret_cast<const char*>(data), size);
  std::span<char> rest(buffer.data(), buffer.size());
  while (!rest.empty()) {
    const auto result = parley::ws::parse_frame(rest, 1 << 20);
    if (result.status != parley::ws::parse_status::complete) break;
    parley::ws::unmask(rest.subspan(result.header.header_size, result.header.payload_size),
                       result.header.mask);
    rest = rest.subspan(result.frame_size());
  }
  return 0;
}
