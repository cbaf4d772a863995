#include "http/request_handler.hpp"

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/range/iterator_range.hpp>

#include "http/origin_policy.hpp"
#include "http/response.hpp"
#include "http/site.hpp"
#include "obs/escaped.hpp"
#include "obs/log.hpp"
#include "obs/metrics/loop_metrics.hpp"
#include "obs/tracing/traceparent.hpp"
#include "obs/tracing/tracer.hpp"
#include "ws/deflate_negotiation.hpp"
#include "ws/handshake.hpp"
#include "ws/session.hpp"

namespace parley::http {
namespace beast = boost::beast;
using beast::http::field;

// A request head larger than this is refused: no legitimate chat client needs more.
constexpr std::size_t k_max_header_bytes = std::size_t{8} * 1024;
// How long a connection opened during shutdown has for its one request.
constexpr std::chrono::milliseconds k_draining_request_timeout{1000};
// How often a request under way is checked against site::min_request_bytes_per_second; the
// first check is this long after its first byte, so a request that arrives whole is never checked.
constexpr std::chrono::milliseconds k_rate_check_interval{1000};
// Nothing here takes a body; a small one is read and dropped so the method can be answered (405).
constexpr std::size_t k_max_body_bytes = std::size_t{16} * 1024;

struct request_parser {
  request_parser() {
    parser.header_limit(k_max_header_bytes);
    parser.body_limit(k_max_body_bytes);
    parser.eager(true);
  }
  beast::http::request_parser<beast::http::string_body> parser;
};

namespace {

// Static files say what they are and may only talk back to their own origin.
const std::vector<std::pair<std::string_view, std::string_view>> k_static_headers = {
    {"Cache-Control", "no-cache"},
    {"X-Content-Type-Options", "nosniff"},
    {"Content-Security-Policy",
     "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; object-src 'none'; "
     "base-uri 'none'; frame-ancestors 'none'"},
};

using http_request = beast::http::request<beast::http::string_body>;

// The span of a WebSocket upgrade request: continues the caller's trace when it sent one valid
// traceparent (several are as good as none), else starts a trace.
obs::tracing::span start_upgrade_span(obs::tracing::tracer* tracer, const http_request& req,
                                      std::string_view path) {
  if (tracer == nullptr || !tracer->enabled()) return {};
  std::optional<obs::tracing::span_context> caller;
  if (req.count("traceparent") == 1) caller = obs::tracing::parse_traceparent(req["traceparent"]);
  auto span = tracer->start_span("websocket upgrade", obs::tracing::span_kind::server,
                                 caller.value_or(obs::tracing::span_context{}));
  if (span.recording()) {
    span.set_attribute("http.request.method", req.method_string());
    span.set_attribute("url.path", path);
    if (const auto agent = req[field::user_agent]; !agent.empty()) {
      span.set_attribute("user_agent.original", agent);
    }
  }
  return span;
}

// Every Sec-WebSocket-Protocol value of the request (it may come in several header lines).
// Every line of a comma-separated list header, joined into one value.
std::string joined_header(const http_request& req, field name) {
  std::string offered;
  for (const auto& line : boost::make_iterator_range(req.equal_range(name))) {
    if (!offered.empty()) offered += ',';
    offered += line.value();
  }
  return offered;
}

std::string offered_subprotocols(const http_request& req) {
  return joined_header(req, field::sec_websocket_protocol);
}

// Why a browser page may not open this WebSocket (security.allowed_origins), or empty when it may.
// No Origin header: not a browser, allowed. Several: ambiguous, refused.
std::string origin_problem(const http_request& req, const origin_policy& origins) {
  if (origins.allows_all()) return {};
  const auto headers = req.count(field::origin);
  if (headers == 0) return {};
  if (headers > 1) return "several Origin headers";
  const std::string_view origin = req[field::origin];
  if (origins.allows(origin, req[field::host])) return {};
  return fmt::format("Origin {} is not allowed (security.allowed_origins)", obs::escaped{origin});
}

// Every X-Forwarded-For value of the request, in order (a proxy may add its own header line).
std::string forwarded_for(const http_request& req) {
  std::string all;
  for (const auto& line : boost::make_iterator_range(req.equal_range("X-Forwarded-For"))) {
    if (!all.empty()) all += ',';
    all += line.value();
  }
  return all;
}

void end_upgrade_span(obs::tracing::span& span, int status) {
  if (!span.recording()) return;
  span.set_attribute("http.response.status_code", status);
  if (status >= 500) span.set_error(reason_phrase(status));  // a 4xx is the client's problem
  span.end();
}

}  // namespace

void request_handler::log_upgrade(std::string_view path, int status) const {
  obs::access_log().info("upgrade remote={} path={} status={}", transport_.remote_address(),
                         obs::escaped{path}, status);
}

request_handler::request_handler(net::transport& transport, site& site)
    : transport_(transport), site_(site), parser_(std::make_unique<request_parser>()) {
  // While draining, a new connection gets a moment for one request (/readyz), not the full timeout.
  const bool draining = !site_.ready.load(std::memory_order_relaxed);
  deadline_ =
      transport_.now() + (draining ? std::min(site_.handshake_timeout, k_draining_request_timeout)
                                   : site_.handshake_timeout);
  arm_timer();
}

void request_handler::begin_request() {
  request_began_ = true;
  request_started_ = transport_.now();
  if (site_.min_request_bytes_per_second > 0) arm_timer();  // the first rate check
}

void request_handler::arm_timer() {
  const auto now = transport_.now();
  auto delay = std::max(deadline_ - now, std::chrono::steady_clock::duration{});
  if (request_began_ && site_.min_request_bytes_per_second > 0) {
    delay = std::min<std::chrono::steady_clock::duration>(delay, k_rate_check_interval);
  }
  // Rounded up: the timer must not fire before the deadline it stands for.
  transport_.start_timer(std::chrono::ceil<std::chrono::milliseconds>(delay));
}

bool request_handler::too_slow(std::chrono::steady_clock::time_point now) const {
  const std::chrono::duration<double> elapsed = now - request_started_;
  return static_cast<double>(request_received_) <
         elapsed.count() * site_.min_request_bytes_per_second;
}

void request_handler::reject_slow(std::chrono::steady_clock::time_point now) {
  const auto elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(now - request_started_);
  reject(408,
         fmt::format("{} bytes in {} ms, slower than {} bytes a second "
                     "(limits.request_min_bytes_per_second)",
                     request_received_, elapsed.count(), site_.min_request_bytes_per_second),
         obs::metrics::rejection::http_slow_request);
}

request_handler::~request_handler() = default;

void request_handler::count(int status) {
  count(status, std::nullopt);
}

void request_handler::count(int status, std::optional<obs::metrics::rejection> reason) {
  using obs::metrics::rejection;
  auto& metrics = obs::metrics::for_loop(transport_.loop_index());
  const auto method = parser_->parser.is_header_done() ? parser_->parser.get().method_string() : "";
  const auto took =
      request_began_ ? transport_.now() - request_started_ : std::chrono::nanoseconds{};
  metrics.count_http(method, status, took);
  if (reason) {
    metrics.count_rejection(*reason);
    return;
  }
  switch (status) {
    case 400:
      metrics.count_rejection(rejection::http_bad_request);
      break;
    case 405:
      metrics.count_rejection(rejection::http_method_not_allowed);
      break;
    case 408:
      metrics.count_rejection(rejection::http_request_timeout);
      break;
    case 413:
      metrics.count_rejection(rejection::http_body_too_large);
      break;
    case 426:
      metrics.count_rejection(rejection::http_upgrade_required);
      break;
    case 403:
      metrics.count_rejection(rejection::http_forbidden_origin);
      break;
    case 429:
      metrics.count_rejection(rejection::http_too_many_connections);
      break;
    case 431:
      metrics.count_rejection(rejection::http_too_many_headers);
      break;
    default:
      break;
  }
}

std::size_t request_handler::on_data(std::span<char> bytes) {
  std::size_t used = 0;
  std::size_t begins_at = 0;  // where the current request starts in `bytes`
  // Bytes not used last time are offered again: what arrived is what was used plus this offer.
  request_received_ = request_consumed_ + bytes.size();
  if (!request_began_ && !bytes.empty()) begin_request();
  while (used < bytes.size()) {
    if (!transport_.is_open()) return bytes.size();  // dropped while answering (output cap)
    beast::error_code ec;
    used += parser_->parser.put(boost::asio::buffer(bytes.data() + used, bytes.size() - used), ec);
    if ((!ec || ec == beast::http::error::need_more) && !fields_checked_ &&
        parser_->parser.is_header_done()) {
      fields_checked_ = true;
      const auto& fields = parser_->parser.get();
      if (const auto count = std::distance(fields.begin(), fields.end());
          count > static_cast<std::ptrdiff_t>(site_.max_header_fields)) {
        reject(431, fmt::format("{} header fields, more than {} (limits.max_request_headers)",
                                count, site_.max_header_fields));
        return bytes.size();
      }
    }
    if (ec == beast::http::error::need_more) {
      request_consumed_ += used - begins_at;
      return used;
    }
    if (ec == beast::http::error::header_limit) {
      reject(400, "request head over 8 KiB");
      return bytes.size();
    }
    if (ec == beast::http::error::body_limit) {
      reject(413, "request body over 16 KiB");
      return bytes.size();
    }
    if (ec) {
      reject(400, ec.message());
      return bytes.size();
    }
    if (!parser_->parser.is_done()) continue;
    if (!serve()) return used;
    answered_any_ = true;
    parser_ = std::make_unique<request_parser>();
    fields_checked_ = false;
    begins_at = used;
    request_consumed_ = 0;
    request_received_ = bytes.size() - used;
    request_began_ = used < bytes.size();  // the next request's first bytes are here already
    request_started_ = transport_.now();
    deadline_ = request_started_ + site_.handshake_timeout;  // now the keep-alive idle timeout
    arm_timer();
  }
  request_consumed_ += used - begins_at;
  return used;
}

void request_handler::reject(int status, std::string_view why,
                             std::optional<obs::metrics::rejection> reason,
                             std::vector<std::pair<std::string_view, std::string_view>> headers) {
  obs::http_log().info("rejected request: {} {}", status, why);
  count(status, reason);
  response answer;
  answer.status = status;
  answer.body = std::string(reason_phrase(status)) + ": " + std::string(why) + "\n";
  answer.headers = std::move(headers);
  answer.keep_alive = false;
  transport_.send(serialize(answer));
  transport_.close_after_flush();
}

bool request_handler::serve() {
  const auto& request = parser_->parser.get();
  const std::string_view target = request.target();
  const std::string_view path = target.substr(0, target.find('?'));
  const std::string_view method = request.method_string();

  // While draining, HTTP is still answered (so /readyz can say 503) but nothing new starts.
  const bool draining = !site_.ready.load(std::memory_order_relaxed);
  response answer;
  answer.keep_alive = request.keep_alive() && !draining;
  answer.head_only = method == "HEAD";

  const auto* route = site_.find_websocket_route(path);
  if (method != "GET" && method != "HEAD") {
    answer.status = 405;
    answer.body = "Method Not Allowed\n";
    answer.headers = {{"Allow", "GET, HEAD"}};
    // A failed attempt at a WebSocket path, like a refused upgrade.
    if (route != nullptr) log_upgrade(path, answer.status);
  } else if (route != nullptr) {
    auto span = start_upgrade_span(site_.tracer, request, path);
    const ws::upgrade_request upgrade{method,
                                      request[field::upgrade],
                                      request[field::connection],
                                      request[field::sec_websocket_key],
                                      request[field::sec_websocket_version],
                                      request.version() == 11};
    switch (ws::check_upgrade(upgrade)) {
      case ws::handshake_verdict::bad_request:
        log_upgrade(path, 400);
        end_upgrade_span(span, 400);
        reject(400, "malformed WebSocket upgrade");
        return false;
      case ws::handshake_verdict::not_an_upgrade:
      case ws::handshake_verdict::version_mismatch:
        answer.status = 426;
        answer.body = "This path needs a WebSocket (version 13) upgrade.\n";
        answer.headers = {{"Sec-WebSocket-Version", "13"}, {"Upgrade", "websocket"}};
        break;
      case ws::handshake_verdict::accept: {
        if (const auto problem = origin_problem(request, site_.origins); !problem.empty()) {
          log_upgrade(path, 403);
          end_upgrade_span(span, 403);
          reject(403, problem);
          return false;
        }
        if (draining) {
          answer.status = 503;
          answer.body = "Server is shutting down.\n";
          break;
        }
        const auto client = site_.clients.of(transport_.remote_address(), forwarded_for(request));
        if (!site_.upgrades_per_address.admit(client, transport_.now())) {
          log_upgrade(path, 429);
          end_upgrade_span(span, 429);
          reject(429,
                 fmt::format("{} opens WebSockets faster than {} a second "
                             "(limits.accepts_per_second_per_ip)",
                             client, site_.upgrades_per_address.rate()),
                 obs::metrics::rejection::http_accept_rate_limited, {{"Retry-After", "1"}});
          return false;
        }
        auto slot = site_.connections_per_address.acquire(client);
        if (!slot) {
          log_upgrade(path, 429);
          end_upgrade_span(span, 429);
          reject(429, fmt::format("{} has {} connections open already (limits.connections_per_ip)",
                                  client, site_.connections_per_address.per_address()));
          return false;
        }
        auto application =
            route->make(target, transport_.loop_index(), offered_subprotocols(request),
                        request.count(field::authorization) == 1
                            ? std::string_view(request[field::authorization])
                            : std::string_view{});
        if (!application.handler) {
          answer.status = 404;
          answer.body = "Not Found\n";
          break;
        }
        log_upgrade(path, 101);
        count(101);
        transport_.cancel_timer();
        std::optional<ws::deflate_agreement> deflate;
        if (site_.compression) {
          deflate = ws::negotiate_deflate(joined_header(request, field::sec_websocket_extensions));
        }
        transport_.send(ws::switching_protocols_response(upgrade.key, application.subprotocol,
                                                         deflate ? deflate->response : ""));
        if (!transport_.is_open()) {  // dropped: over its output cap
          end_upgrade_span(span, 101);
          return false;
        }
        if (span.recording()) application.handler->annotate_upgrade(span);
        auto session = std::make_unique<ws::session>(
            transport_, std::move(application.handler), site_.ws_limits,
            obs::tracing::trace_context{site_.tracer, span.context()});
        session->keep(std::move(*slot));
        if (deflate) session->enable_deflate(deflate->client_no_context_takeover);
        auto& opened = *session;
        transport_.replace_handler(std::move(session));  // `this` is retired after on_data returns
        opened.open(path);
        end_upgrade_span(span, 101);
        return false;
      }
    }
    log_upgrade(path, answer.status);
    end_upgrade_span(span, answer.status);
  } else if (path == "/healthz") {
    answer.body = "ok\n";
  } else if (path == "/readyz") {
    const bool away = site_.dependencies_ready && !site_.dependencies_ready();
    answer.status = draining || away ? 503 : 200;
    answer.body = draining ? "draining\n" : (away ? "redis unreachable\n" : "ready\n");
  } else if (path.starts_with("/api/") && site_.api) {
    if (auto body = site_.api(path)) {
      answer.content_type = "application/json";
      answer.body = std::move(*body);
      answer.headers = {{"Cache-Control", "no-store"}};
    } else {
      answer.status = 404;
      answer.body = "Not Found\n";
    }
  } else if (auto file = site_.files.find(path)) {
    answer.content_type = file->content_type;
    answer.body = std::move(file->content);
    answer.headers = k_static_headers;
  } else {
    answer.status = 404;
    answer.body = "Not Found\n";
  }

  count(answer.status);
  transport_.send(serialize(answer));
  if (!answer.keep_alive) {
    transport_.close_after_flush();
    return false;
  }
  return true;
}

void request_handler::on_timeout() {
  const auto now = transport_.now();
  if (request_began_ && site_.min_request_bytes_per_second > 0 && now < deadline_) {
    if (too_slow(now)) {
      reject_slow(now);
    } else {
      arm_timer();  // the next check, or the deadline
    }
    return;
  }
  if (request_began_) {
    obs::http_log().info("request timeout");
    count(408);
  } else if (!answered_any_) {  // a connection that never sent a byte: no request to count
    obs::http_log().info("request timeout: nothing sent since connecting");
    obs::metrics::for_loop(transport_.loop_index())
        .count_rejection(obs::metrics::rejection::http_no_request_timeout);
  }  // else an idle keep-alive connection ending: no bad input
  response answer;
  answer.status = 408;
  answer.body = "Request Timeout\n";
  answer.keep_alive = false;
  transport_.send(serialize(answer));
  transport_.close_after_flush();
}

void request_handler::on_slow_consumer() {
  transport_.close_now();  // it is not reading its responses: nothing more to say
}

void request_handler::on_shutdown() {
  transport_.close_after_flush();
}

}  // namespace parley::http
