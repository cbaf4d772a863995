#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "net/transport.hpp"

namespace parley::obs::metrics {
enum class rejection : std::uint8_t;
}

namespace parley::http {

struct site;
struct request_parser;

// The HTTP/1.1 side of a connection: parses requests (Beast's parser), answers static files,
// health probes and errors, and on a WebSocket upgrade hands the connection to a ws::session.
// A connection that has not completed a request within the handshake timeout is closed, and so is
// one whose request arrives slower than site::min_request_bytes_per_second (slowloris).
class request_handler final : public net::connection_handler {
 public:
  request_handler(net::transport& transport, site& site);
  ~request_handler() override;

  std::size_t on_data(std::span<char> bytes) override;
  void on_timeout() override;
  void on_shutdown() override;
  void on_slow_consumer() override;
  void on_disconnect() override {}

 private:
  // Answers the request just parsed; false when the connection no longer takes requests.
  bool serve();
  // Answers `status` with `why` and closes; counted under `reason`, or the status's usual one.
  void reject(int status, std::string_view why,
              std::optional<obs::metrics::rejection> reason = std::nullopt,
              std::vector<std::pair<std::string_view, std::string_view>> headers = {});
  // The first byte of a request arrived.
  void begin_request();
  // The timer for whichever comes first: the request's deadline or its next rate check.
  void arm_timer();
  // The request under way has arrived slower than site::min_request_bytes_per_second.
  [[nodiscard]] bool too_slow(std::chrono::steady_clock::time_point now) const;
  // Answers 408 to a request arriving too slowly, and closes.
  void reject_slow(std::chrono::steady_clock::time_point now);
  // The access log's line for a WebSocket upgrade request, whatever its answer.
  void log_upgrade(std::string_view path, int status) const;
  // Counts the answer to the current request (and the rejection, for 4xx statuses).
  void count(int status);
  void count(int status, std::optional<obs::metrics::rejection> reason);

  net::transport& transport_;
  site& site_;
  std::unique_ptr<request_parser> parser_;
  bool request_began_ = false;   // bytes of the current request have arrived
  bool answered_any_ = false;    // a request was answered: a timeout now is a keep-alive's idle end
  bool fields_checked_ = false;  // the current request's header count was checked
  std::chrono::steady_clock::time_point request_started_{};
  std::chrono::steady_clock::time_point deadline_{};  // the current request must be complete by
  std::size_t request_consumed_ = 0;  // bytes of the current request used by earlier on_data calls
  std::size_t request_received_ = 0;  // bytes of the current request arrived so far
};

}  // namespace parley::http
