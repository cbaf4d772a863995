#pragma once

#include <string>
#include <string_view>

namespace parley::obs {

// `text` as a JSON string literal, quotes included: '"' and '\' escaped, control characters as
// \n, \r, \t or \u00XX, and each byte that is not part of valid UTF-8 replaced by U+FFFD, so the
// result is valid JSON whatever the input.
std::string json_string(std::string_view text);
// The same, appended to `out`.
void append_json_string(std::string& out, std::string_view text);

}  // namespace parley::obs
