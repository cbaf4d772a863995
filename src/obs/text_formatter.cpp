#include <spdlog/pattern_formatter.h>

#include "obs/formatters.hpp"
#include "obs/level_name.hpp"

namespace parley::obs {
namespace {

// The level padded to five characters ("INFO ", "WARN ", "ERROR"), as Ballerina prints it and
// the tutorial's Logstash pattern (%{WORD:logLevel}%{SPACE}) expects.
class padded_level_flag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    const auto name = level_name(msg.level);
    dest.append(name.data(), name.data() + name.size());
    for (auto pad = name.size(); pad < 5; ++pad) dest.push_back(' ');
  }
  [[nodiscard]] std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<padded_level_flag>();
  }
};

}  // namespace

std::unique_ptr<spdlog::formatter> make_text_formatter() {
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<padded_level_flag>('*').set_pattern("%Y-%m-%d %H:%M:%S,%e %* [%n] - %v");
  return formatter;
}

}  // namespace parley::obs
