// A configuration value as an environment variable or a flag gives it: the first byte picks the
// key, the rest is the text. Every refusal must be a config::error of one line; anything else
// thrown (or a crash) is a bug.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "config/error.hpp"
#include "config/keys.hpp"
#include "config/options.hpp"
#include "config/parse_value.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto keys = parley::config::all_keys();
  const auto& key = keys[data[0] % keys.size()];
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  parley::config::options opts;
  try {
    parley::config::store_text(key, text, opts, "fuzz");
    // A value it took is one it takes again from its stored form.
    parley::config::check_value(key, key.target.load(opts));
  } catch (const parley::config::error& error) {
    if (std::string_view(error.what()).find('\n') != std::string_view::npos) std::abort();
  }
  return 0;
}
