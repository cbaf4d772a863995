"""Connections that do not complete a request within --handshake-timeout-ms are closed."""
import asyncio
import socket
import time

import pytest

from metrics_scrape import value, wait_for_scrape
from parley_client import join, open_socket, read_response, recv, run, said, wait_for_eof

TIMEOUT_MS = 500


@pytest.fixture
def quick_server(start_server):
    return start_server("--threads", "2", "--handshake-timeout-ms", str(TIMEOUT_MS))


def test_silent_tcp_client_is_closed_after_the_handshake_timeout(quick_server):
    started = time.monotonic()  # before connecting: the server's timer starts at accept
    with open_socket(quick_server) as sock:
        data = wait_for_eof(sock, timeout=5)
        elapsed = time.monotonic() - started
    assert data == b"" or data.startswith(b"HTTP/1.1 4"), data
    assert elapsed >= 0.3, f"closed after {elapsed:.2f}s, before the timeout could expire"


def test_client_sending_half_a_request_is_closed_after_the_handshake_timeout(quick_server):
    started = time.monotonic()  # before connecting: the server's timer starts at accept
    with open_socket(quick_server) as sock:
        sock.sendall(b"GET /chat/alice HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n")
        data = wait_for_eof(sock, timeout=5)
        elapsed = time.monotonic() - started
    assert data == b"" or data.startswith(b"HTTP/1.1 4"), data
    assert elapsed >= 0.3


def test_trickling_client_is_closed_although_it_keeps_sending(start_server):
    """The timeout bounds the whole request head, not the gap between bytes (the rate check, which
    would close it sooner, is off: test_request_limits.py tests it)."""
    quick_server = start_server("--threads", "2", "--handshake-timeout-ms", str(TIMEOUT_MS),
                                "--limits-request-min-bytes-per-second", "0")
    with open_socket(quick_server) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        started = time.monotonic()
        closed_by_server = False
        while time.monotonic() - started < 5:
            try:
                sock.sendall(b"X: y\r\n")
                sock.settimeout(0.1)
                data = sock.recv(4096)
            except socket.timeout:
                continue  # still open: keep trickling
            except (ConnectionResetError, BrokenPipeError):
                closed_by_server = True
                break
            if data == b"" or data.startswith(b"HTTP/1.1 4"):
                closed_by_server = True
                break
        assert closed_by_server, "server kept a never-ending request head open for 5 s"


def test_completed_chat_connection_is_not_subject_to_the_handshake_timeout(quick_server):
    async def scenario():
        alice = await join(quick_server, "alice")
        # Idle for three times the handshake timeout: nothing may arrive, and no close.
        with pytest.raises(asyncio.TimeoutError):
            await recv(alice, timeout=3 * TIMEOUT_MS / 1000)
        await alice.send("still connected")
        assert await recv(alice) == said("alice", "still connected")
        await alice.close()
    run(scenario())


def test_complete_http_request_before_the_timeout_is_answered(quick_server):
    with open_socket(quick_server) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = wait_for_eof(sock, timeout=5)
    assert data.startswith(b"HTTP/1.1 200"), data


def test_each_timed_out_connection_is_counted_once_under_what_it_sent(start_server):
    """Nothing sent (a connect-only client), half a request, or an idle keep-alive connection after
    a request: each gets its 408 after the timeout, and the first two count once each as rejected
    input (the connect-only one was once counted nowhere); the idle one is no bad input."""
    server = start_server("--threads", "2", "--handshake-timeout-ms", str(TIMEOUT_MS),
                          "--metrics-enabled", "--metrics-port", "0", "--metrics-bind", "127.0.0.1")
    with open_socket(server) as silent, open_socket(server) as partial, \
            open_socket(server) as idle:
        partial.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        idle.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert read_response(idle).status == 200
        for sock in (silent, partial, idle):
            assert wait_for_eof(sock).startswith(b"HTTP/1.1 408"), sock

    rejected = "parley_rejected_inputs_total"
    samples = wait_for_scrape(
        server, lambda s: value(s, "parley_connections_total", outcome="http") == 3,
        "the three connections to end")
    assert value(samples, rejected, reason="http_no_request_timeout") == 1
    assert value(samples, rejected, reason="http_request_timeout") == 1
    assert value(samples, "http_requests_total", method="other", status="408") == 1
    assert value(samples, "http_requests_total", method="GET", status="408") == 0
