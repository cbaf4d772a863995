#pragma once

#include <chrono>
#include <cstdint>

// Every default in one place, each with its reason.
namespace parley::config::defaults {

// The tutorial's port.
constexpr std::uint16_t port = 9090;
// All interfaces, as the tutorial's server listens; tests bind 127.0.0.1.
constexpr const char* bind_address = "0.0.0.0";
// 64 KiB: far above any chat line, small enough that 10,000 users cannot pin much memory with
// half-sent messages.
constexpr std::uint64_t max_message_size = 64 * 1024;
// Unsent output a client may leave unread before it is dropped: 16 MiB is 256 maximal messages,
// minutes of a busy room; a client that far behind is not reading.
constexpr std::uint64_t max_queued_bytes = 16 * 1024 * 1024;
// A client may stay above this much unsent output for the grace period (a burst, a slow network)
// before it is closed: 1 MiB is about 10,000 chat lines, a minute of a very busy room.
constexpr std::uint64_t soft_queued_bytes = 1024 * 1024;
constexpr std::chrono::milliseconds slow_consumer_grace{10'000};
// Time to send a complete HTTP request after connecting (and between keep-alive requests).
constexpr std::chrono::milliseconds handshake_timeout{10'000};
// A quiet WebSocket is pinged after this long and dropped after twice this long without a byte:
// below the 60 s idle timeouts of common proxies and load balancers.
constexpr std::chrono::milliseconds ping_interval{30'000};
// How long a client may take to answer our close frame.
constexpr std::chrono::milliseconds close_timeout{5'000};
// How long shutdown waits for WebSockets to finish their close handshakes before exiting anyway.
constexpr std::chrono::milliseconds shutdown_timeout{5'000};

}  // namespace parley::config::defaults
