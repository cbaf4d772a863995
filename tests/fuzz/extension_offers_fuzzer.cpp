// Sec-WebSocket-Extensions values: parsing and permessage-deflate negotiation. An accepted offer
// must be answered with server_no_context_takeover, and the answer must parse back.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ws/deflate_negotiation.hpp"
#include "ws/extension_header.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view header(reinterpret_cast<const char*>(data), size);
  parley::ws::parse_extension_offers(header);
  if (const auto agreed = parley::ws::negotiate_deflate(header)) {
    if (!agreed->response.starts_with("permessage-deflate; server_no_context_takeover")) {
      std::abort();
    }
    const auto answer = parley::ws::parse_extension_offers(agreed->response);
    if (!answer || answer->size() != 1) std::abort();
  }
  return 0;
}
