#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace parley::auth {

// Decodes base64url without padding (RFC 4648 §5, as JWTs use it); nothing when `text` has a
// character outside the alphabet, padding, or a length no encoding has (4n + 1).
std::optional<std::string> decode_base64url(std::string_view text);

}  // namespace parley::auth
