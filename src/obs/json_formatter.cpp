#include <spdlog/pattern_formatter.h>

#include "obs/formatters.hpp"
#include "obs/json_string.hpp"
#include "obs/level_name.hpp"

namespace parley::obs {
namespace {

// The same date text as the text format's, from the same spdlog pattern.
constexpr const char* k_date_pattern = "%Y-%m-%d %H:%M:%S,%e";

class json_formatter final : public spdlog::formatter {
 public:
  json_formatter()
      : date_(std::make_unique<spdlog::pattern_formatter>(
            k_date_pattern, spdlog::pattern_time_type::local, std::string{})) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    spdlog::memory_buf_t date;
    date_->format(msg, date);
    append(dest, R"({"date":)");
    append(dest, json_string({date.data(), date.size()}));
    append(dest, R"(,"level":")");
    append(dest, level_name(msg.level));  // plain ASCII
    append(dest, R"(","package":)");
    append(dest, json_string({msg.logger_name.data(), msg.logger_name.size()}));
    append(dest, R"(,"message":)");
    append(dest, json_string({msg.payload.data(), msg.payload.size()}));
    append(dest, "}\n");
  }

  [[nodiscard]] std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<json_formatter>();
  }

 private:
  static void append(spdlog::memory_buf_t& dest, std::string_view text) {
    dest.append(text.data(), text.data() + text.size());
  }

  std::unique_ptr<spdlog::formatter> date_;
};

}  // namespace

std::unique_ptr<spdlog::formatter> make_json_formatter() {
  return std::make_unique<json_formatter>();
}

}  // namespace parley::obs
