#include "obs/log.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <array>
#include <memory>
#include <stdexcept>

namespace parley::obs {
namespace {

// Upper-case level padded to five characters ("INFO ", "WARN ", "ERROR"), as Ballerina prints
// them and the tutorial's Logstash pattern (%{WORD:logLevel}%{SPACE}) expects.
class upper_level_flag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    static constexpr std::array<std::string_view, 7> names = {"TRACE", "DEBUG", "INFO ", "WARN ",
                                                              "ERROR", "FATAL", "OFF  "};
    const auto name = names[static_cast<std::size_t>(msg.level)];
    dest.append(name.data(), name.data() + name.size());
  }
  [[nodiscard]] std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<upper_level_flag>();
  }
};

struct loggers {
  std::shared_ptr<spdlog::logger> chat, http, ws, net, server, tracing;
};

std::shared_ptr<spdlog::logger> make_logger(const char* name, const spdlog::sink_ptr& sink) {
  auto logger = std::make_shared<spdlog::logger>(name, sink);
  return logger;
}

loggers& all() {
  static loggers instance = [] {
    auto sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<upper_level_flag>('*').set_pattern("%Y-%m-%d %H:%M:%S,%e %* [%n] - %v");
    sink->set_formatter(std::move(formatter));
    loggers made{make_logger("parley.chat", sink),   make_logger("parley.http", sink),
                 make_logger("parley.ws", sink),     make_logger("parley.net", sink),
                 make_logger("parley.server", sink), make_logger("parley.tracing", sink)};
    for (auto* logger :
         {&made.chat, &made.http, &made.ws, &made.net, &made.server, &made.tracing}) {
      (*logger)->flush_on(spdlog::level::trace);  // readers (tests, log shippers) see lines at once
    }
    return made;
  }();
  return instance;
}

}  // namespace

void init_logging(const log_options& options) {
  const auto level = spdlog::level::from_str(options.level);
  if (level == spdlog::level::off && options.level != "off") {
    throw std::invalid_argument("unknown log level '" + options.level + "'");
  }
  auto& loggers = all();
  for (auto* logger : {&loggers.chat, &loggers.http, &loggers.ws, &loggers.net, &loggers.server,
                       &loggers.tracing}) {
    (*logger)->set_level(level);
  }
}

spdlog::logger& chat_log() {
  return *all().chat;
}
spdlog::logger& http_log() {
  return *all().http;
}
spdlog::logger& ws_log() {
  return *all().ws;
}
spdlog::logger& net_log() {
  return *all().net;
}
spdlog::logger& server_log() {
  return *all().server;
}
spdlog::logger& trace_log() {
  return *all().tracing;
}

}  // namespace parley::obs
