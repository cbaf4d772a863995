#include "obs/log.hpp"

#include <algorithm>

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <stdexcept>
#include <vector>

#include "obs/formatters.hpp"

namespace parley::obs {
namespace {

struct loggers {
  std::shared_ptr<spdlog::logger> chat, http, ws, net, server, access, tracing;

  [[nodiscard]] std::vector<spdlog::logger*> every() const {
    return {chat.get(), http.get(), ws.get(), net.get(), server.get(), access.get(), tracing.get()};
  }
};

spdlog::sink_ptr stdout_sink(const std::string& format) {
  auto sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
  sink->set_formatter(format == "json" ? make_json_formatter() : make_text_formatter());
  return sink;
}

loggers& all() {
  static loggers instance = [] {
    const auto sink = stdout_sink("text");
    const auto make = [&sink](const char* name) {
      auto logger = std::make_shared<spdlog::logger>(name, sink);
      logger->flush_on(spdlog::level::trace);  // readers (tests, log shippers) see lines at once
      return logger;
    };
    return loggers{make("parley.chat"), make("parley.http"),   make("parley.ws"),
                   make("parley.net"),  make("parley.server"), make("parley.access"),
                   make("parley.tracing")};
  }();
  return instance;
}

}  // namespace

void init_logging(const log_options& options) {
  const auto level = spdlog::level::from_str(options.level);
  if (level == spdlog::level::off && options.level != "off") {
    throw std::invalid_argument("unknown log level '" + options.level + "'");
  }
  if (options.format != "text" && options.format != "json") {
    throw std::invalid_argument("unknown log format '" + options.format + "'");
  }

  spdlog::sink_ptr main_sink;
  if (options.file.empty()) {
    main_sink = stdout_sink(options.format);
  } else {
    try {
      main_sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(options.file, false);
    } catch (const spdlog::spdlog_ex& trouble) {
      throw std::runtime_error("log.file: " + std::string(trouble.what()));
    }
    main_sink->set_formatter(options.format == "json" ? make_json_formatter()
                                                      : make_text_formatter());
  }

  auto& made = all();
  for (auto* logger : made.every()) {
    logger->sinks() = {main_sink};
    logger->set_level(level);
  }
  // The server's few lifecycle lines (listening, metrics, signal, stopped) are written at any
  // level short of off: supervisors, benchmarks and tests read where the server listens from
  // them, also when a benchmark runs at warn.
  if (level != spdlog::level::off) made.server->set_level(std::min(level, spdlog::level::info));
  if (!options.file.empty()) made.server->sinks().push_back(stdout_sink(options.format));
  if (!options.access) made.access->set_level(spdlog::level::off);
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
spdlog::logger& access_log() {
  return *all().access;
}

spdlog::logger& trace_log() {
  return *all().tracing;
}

}  // namespace parley::obs
