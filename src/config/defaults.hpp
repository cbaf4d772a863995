#pragma once

#include <chrono>
#include <cstdint>

// Every default in one place, each with its reason.
namespace parley::config::defaults {

// [server]
// The tutorial's port.
constexpr std::uint16_t port = 9090;
// All interfaces, as the tutorial's server listens; tests bind 127.0.0.1.
constexpr const char* bind_address = "0.0.0.0";
// 0: one event loop per core, the most a shared-nothing server can use.
constexpr unsigned threads = 0;
// Empty: the web client compiled into the binary, so one file is the whole deployment.
constexpr const char* web_root = "";
// /echo exists for the RFC 6455 conformance suite only; a chat server does not need it.
constexpr bool echo_endpoint = false;
// How long shutdown waits for WebSockets to finish their close handshakes before exiting anyway:
// below Kubernetes' 30 s termination grace period, above a round trip to a slow phone.
constexpr std::chrono::milliseconds shutdown_timeout{5'000};

// [limits]
// 64 KiB: far above any chat line, small enough that 10,000 users cannot pin much memory with
// half-sent messages.
constexpr std::uint64_t max_message_size = std::uint64_t{64} * 1024;
// Unsent output a client may leave unread before it is dropped: 16 MiB is 256 maximal messages,
// minutes of a busy room; a client that far behind is not reading.
constexpr std::uint64_t max_queued_bytes = std::uint64_t{16} * 1024 * 1024;
// A client may stay above this much unsent output for the grace period (a burst, a slow network)
// before it is closed: 1 MiB is about 10,000 chat lines, a minute of a very busy room.
constexpr std::uint64_t soft_queued_bytes = std::uint64_t{1024} * 1024;
constexpr std::chrono::milliseconds slow_consumer_grace{10'000};
// Each client socket's kernel send buffer (SO_SNDBUF; Linux doubles it for its bookkeeping). Left
// to itself the kernel grows it to tcp_wmem's maximum, 4 MiB, all of it output a client may leave
// unread before the limits above even see any; 256 KiB is a few round trips of a busy room, and
// fan-out throughput does not change (bench/RESULTS.md).
constexpr std::uint64_t socket_send_buffer = std::uint64_t{256} * 1024;
// Time to send a complete HTTP request after connecting (and between keep-alive requests).
constexpr std::chrono::milliseconds handshake_timeout{10'000};
// A quiet WebSocket is pinged after this long and dropped after twice this long without a byte:
// below the 60 s idle timeouts of common proxies and load balancers.
constexpr std::chrono::milliseconds ping_interval{30'000};
// How long a client may take to answer our close frame.
constexpr std::chrono::milliseconds close_timeout{5'000};
// A parley.v1 message's text: 16 KiB is a long letter (Slack allows 40,000 characters, Discord
// 4,000), and 10,000 of them fit a room's history in 160 MiB at worst.
constexpr std::uint64_t max_text_bytes = std::uint64_t{16} * 1024;
// Rooms one connection may be in at once: more than a person follows, few enough that joining
// and leaving costs the server little (each room shard keeps an entry per member).
constexpr unsigned max_rooms_per_connection = 64;
// Rooms the server holds (rooms outlive their members while they have history): a bound on what
// clients can make the server keep by naming new rooms.
constexpr unsigned max_rooms = 100'000;
// History requests per second per connection, as many at once: scrolling back through a room is
// a few pages a second; a flood is refused with rate_limited.
constexpr unsigned history_per_second = 10;
// Chat messages (every WebSocket message: parley.v1 requests, legacy lines) per second per
// connection, and as many at once: a person types a few a second at most and a client's retries
// after a reconnect come in a burst; one connection flooding a room is refused (v1: rate_limited).
constexpr unsigned messages_per_second = 20;
constexpr unsigned messages_burst = 40;
// The legacy protocol has no error to tell a client it is too fast: its messages go on being
// delivered until it owes this many beyond the burst, then it is closed (1008). Half a second at
// the default rate: a paste of lines passes, a flood does not.
constexpr unsigned legacy_rate_tolerance = 10;

// WebSocket connections open at once from one client address: a household or an office behind
// one NAT has a few dozen people, each with a tab or two; one host opening thousands is an attack.
constexpr unsigned connections_per_ip = 100;
// New WebSocket connections per second from one client address, and as many at once: the burst is
// everyone behind one NAT (up to connections_per_ip) reconnecting together after a restart, the
// rate far above any person's reconnects; a host churning connections is refused (429).
constexpr unsigned accepts_per_second_per_ip = 20;
constexpr unsigned accepts_burst_per_ip = 100;
// Header lines of one HTTP request: a browser's upgrade has about 15; uWebSockets allows 100.
constexpr unsigned max_request_headers = 100;
// Slowloris guard: a request under way must arrive at this many bytes a second on average
// (Apache's mod_reqtimeout MinRate), checked each second from its first byte. A real client's
// request arrives whole in one packet; one that trickles bytes to hold a connection open is
// closed (408) after a second instead of at the handshake timeout.
constexpr unsigned request_min_bytes_per_second = 500;

// [security]
// Pages the server served itself (the request's Host) and local development: a page from any other
// site cannot use a visitor's browser to chat in their name (cross-site WebSocket hijacking).
constexpr const char* allowed_origins = "self,http://localhost:*";
// None: X-Forwarded-For is believed only from proxies the operator names, else any client could
// claim any address.
constexpr const char* trusted_proxies = "";

// [tls]
// None: plain HTTP, as behind a TLS-terminating proxy or ingress (the usual deployment); both
// set: server.port speaks only https:// and wss://.
constexpr const char* tls_cert_file = "";
constexpr const char* tls_key_file = "";

// [ws]
// permessage-deflate costs a compression per broadcast and, for clients that compress with
// context takeover, an inflate window per connection; off until an operator wants the bandwidth.
constexpr const char* compression = "off";
// Shorter payloads go out uncompressed (legal per message): a deflated chat line of a few dozen
// bytes saves almost nothing and costs a compressor reset.
constexpr std::uint64_t compression_min_size = 128;
// [auth]
// No keys: names are first come, first served, as the tutorial's chat; an operator who issues
// tokens turns authentication on by naming a key.
constexpr const char* jwt_secret = "";
constexpr const char* jwt_public_key = "";
// The registered claim for "who this token is about" (RFC 7519 §4.1.2).
constexpr const char* jwt_user_claim = "sub";

// [history]
// A join without `since` gets this many recent events: a screenful and some scrollback.
constexpr unsigned history_on_join = 50;
// Events a room keeps (SQLite and memory alike), and for how long: a week of a busy room.
constexpr unsigned history_max_events = 10'000;
constexpr std::chrono::seconds history_max_age{7 * 24 * 3600};
// With a store, the newest events of each room also stay in memory, so joins, replays after a
// short drop and most history pages never touch the disk.
constexpr unsigned history_memory_events = 1'000;
// A `since` replay hands out at most this many events (older ones: a gap; `history` pages back
// through them), so a client back after days does not get a room's whole week at once.
constexpr unsigned history_max_replay = 1'000;

// [storage]
// SQLite in a folder of the working directory: history and ids survive restarts with no setup.
constexpr const char* storage_engine = "sqlite";
constexpr const char* storage_path = "./parley-data";
// The writer commits at most this often: a busy server writes a batch per interval instead of a
// transaction per message; a crash (kill -9) loses at most about one interval of events.
constexpr std::chrono::milliseconds storage_commit_interval{20};

// [cluster]
// Empty: one node, no Redis (the embedded default).
constexpr const char* cluster_redis = "";
// Empty: the host name and the process id, unique among the nodes of one machine and cluster.
constexpr const char* cluster_node_id = "";
// A crashed node's usernames are free again after this long; the owning node refreshes its
// leases every third of it, so a Redis hiccup of a few seconds loses none.
constexpr std::chrono::milliseconds cluster_lease{15'000};

// [memory]
// Checking once a second costs nothing measurable and returns memory within about two seconds of
// a burst's end; 0 turns the release off.
constexpr std::chrono::milliseconds memory_release_interval{1'000};
// A burst worth a malloc_trim: 16 MiB of traffic (or 4,096 connections ended) since the last one.
// Less would trim after ordinary chat, where glibc keeps little; a tick is quiet below 1/16 of it.
// The heap in use falling by as much (and by a quarter) from its peak is worth one too.
constexpr std::uint64_t memory_release_after_bytes = std::uint64_t{16} * 1024 * 1024;
// One glibc malloc arena for every thread: malloc_trim then returns all the heap has free (it
// trims only the main arena's top; a loop's own arena kept tens of MiB after a flood). The fan-out
// allocates once per broadcast, so sharing the arena's lock cost nothing measurable.
constexpr unsigned memory_malloc_arenas = 1;

// [metrics]
// Off: an endpoint nobody scrapes is one more open port; the tutorial turns it on in its file.
constexpr bool metrics_enabled = false;
// Prometheus' convention of one port per exporter, away from the chat port so it can stay
// internal; 9797 is the tutorial's (Ballerina's) metrics port.
constexpr std::uint16_t metrics_port = 9797;
constexpr const char* metrics_bind = "0.0.0.0";
// Plain HTTP: Prometheus scrapes an internal port; TLS needs the chat port's certificate.
constexpr bool metrics_tls = false;

// [tracing]
// Off: exporting spans costs a thread and a collector; the tutorial turns it on in its file.
constexpr bool tracing_enabled = false;
// OTLP over HTTP on a local collector (Jaeger all-in-one listens there).
constexpr const char* tracing_endpoint = "http://localhost:4318/v1/traces";
// Every trace: chat traffic is light, and a sampled-out upgrade is the one you need.
constexpr double tracing_sample_ratio = 1.0;
constexpr const char* tracing_service_name = "parley";

// [log]
constexpr const char* log_level = "info";
// The tutorial's line format, which its Logstash grok pattern parses.
constexpr const char* log_format = "text";
// Empty: standard output, where containers and systemd collect it.
constexpr const char* log_file = "";
// On: one line per upgrade and per close is what an operator asks for first, and it is cheap
// next to the chat lines already logged.
constexpr bool log_access = true;

}  // namespace parley::config::defaults
