#pragma once

#include <string>
#include <string_view>

#include "config/keys.hpp"

namespace parley::config {

struct options;

// A key's value from text (an environment variable, a flag): true/false, a whole number, a
// number or the text itself. Throws config::problem ("not a number").
value parse_text(const key& k, std::string_view text);

// Throws config::problem when the key does not take this value ("must be between 0 and 65535",
// "must be one of text, json").
void check_value(const key& k, const value& v);

// Checks the value and stores it into opts; a problem becomes a config::error that starts with
// `context` (the source and the key: "PARLEY_SERVER_PORT='abc'").
void store_checked(const key& k, const value& v, options& opts, std::string_view context);

// parse_text, then store_checked: for the environment and the command line.
void store_text(const key& k, std::string_view text, options& opts, std::string_view context);

// Text from the outside world for an error line: control characters escaped (\n, \x1B), so the
// line stays one line; single_quoted also puts it in single quotes.
std::string one_line(std::string_view text);
std::string single_quoted(std::string_view text);

}  // namespace parley::config
