"""Limits on the HTTP request before an upgrade: limits.request_min_bytes_per_second (slowloris:
a request trickled slower than that is answered 408 and closed about a second after its first
byte, not at the handshake timeout), limits.max_request_headers (431) and
limits.accepts_per_second_per_ip (429 with Retry-After). Each is counted and logged."""
import asyncio
import socket
import time

import pytest
from websockets.exceptions import InvalidStatusCode

from metrics_scrape import value, wait_for_scrape
from parley_client import WAIT, close_all, connect, greeting, open_socket, read_response, recv, run

METRICS = ("--metrics-enabled", "--metrics-port", "0", "--metrics-bind", "127.0.0.1")
REJECTED = "parley_rejected_inputs_total"


def trickle_until_answered(sock, piece, every, limit):
    """Sends `piece` every `every` seconds (the wait for an answer paces it) until the server
    answers or closes; returns (what it answered, seconds since the first piece), or None after
    `limit` seconds."""
    started = time.monotonic()
    data = b""
    while time.monotonic() - started < limit:
        try:
            sock.sendall(piece)
            sock.settimeout(every)
            chunk = sock.recv(65536)
        except socket.timeout:
            continue
        except (ConnectionResetError, BrokenPipeError):
            return data, time.monotonic() - started
        if not chunk:
            return data, time.monotonic() - started
        data += chunk
        if b"\r\n\r\n" in data:
            return data, time.monotonic() - started
    return None


def test_a_trickled_request_gets_408_after_about_a_second_and_is_counted(start_server):
    # The handshake timeout stays at its default, 10 s: only the rate check can answer in time.
    server = start_server("--threads", "2", *METRICS)
    with open_socket(server) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        answer = trickle_until_answered(sock, b"X: y\r\n", every=0.1, limit=5)
    assert answer is not None, "a request trickling 60 bytes a second was kept open for 5 s"
    data, elapsed = answer
    assert data.startswith(b"HTTP/1.1 408 Request Timeout"), data
    assert b"(limits.request_min_bytes_per_second)" in data, data
    assert elapsed >= 0.5, f"answered after {elapsed:.2f}s: before the first check was due"
    samples = wait_for_scrape(server, lambda s: value(s, REJECTED, reason="http_slow_request") == 1,
                              "the slow request to be counted")
    assert value(samples, REJECTED, reason="http_request_timeout") == 0
    assert server.wait_for_line(r"rejected request: 408 \d+ bytes in \d+ ms, slower than 500", WAIT)


def test_a_request_arriving_in_pieces_fast_enough_is_answered(start_server):
    server = start_server("--threads", "2")
    padding = b"X-Padding: " + b"p" * 300 + b"\r\n"  # 313 bytes every 0.1 s: 3 KB a second
    with open_socket(server) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n")
        started = time.monotonic()
        while time.monotonic() - started < 1.6:  # past the first check (1 s after the first byte)
            sock.sendall(padding)
            sock.settimeout(0.1)
            try:
                early = sock.recv(65536)
            except socket.timeout:
                continue
            pytest.fail(f"the server answered a request still arriving fast enough: {early!r}")
        sock.settimeout(WAIT)
        sock.sendall(b"\r\n")
        assert read_response(sock).status == 200


def test_zero_turns_the_rate_check_off(start_server):
    server = start_server("--threads", "2", "--limits-request-min-bytes-per-second", "0",
                          "--handshake-timeout-ms", "2500")
    with open_socket(server) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        answer = trickle_until_answered(sock, b"X: y\r\n", every=0.1, limit=5)
    assert answer is not None
    data, elapsed = answer
    assert data.startswith(b"HTTP/1.1 408"), data
    assert elapsed >= 2.0, f"closed after {elapsed:.2f}s, before the handshake timeout"


def request_with_fields(count):
    """A GET /healthz whose head has `count` header fields, Host included."""
    fields = ["Host: x", "Connection: close"] + [f"X-F{i}: {i}" for i in range(count - 2)]
    return ("GET /healthz HTTP/1.1\r\n" + "\r\n".join(fields) + "\r\n\r\n").encode()


def test_more_header_fields_than_the_limit_get_431_and_are_counted(start_server):
    server = start_server("--threads", "2", "--limits-max-request-headers", "20", *METRICS)
    with open_socket(server) as sock:
        sock.sendall(request_with_fields(20))
        assert read_response(sock).status == 200
    with open_socket(server) as sock:
        sock.sendall(request_with_fields(21))
        response = read_response(sock)
    assert response.status == 431
    assert b"21 header fields, more than 20 (limits.max_request_headers)" in response.body
    wait_for_scrape(server, lambda s: value(s, REJECTED, reason="http_too_many_headers") == 1,
                    "the 431 to be counted")


def test_the_default_allows_a_browsers_headers_but_not_two_hundred(start_server):
    server = start_server("--threads", "2")
    with open_socket(server) as sock:
        sock.sendall(request_with_fields(30))
        assert read_response(sock).status == 200
    with open_socket(server) as sock:
        sock.sendall(request_with_fields(200))  # 2 KiB: within the head size
        assert read_response(sock).status == 431


async def refused_status(server, name):
    with pytest.raises(InvalidStatusCode) as refusal:
        await connect(server, name)
    return refusal.value


def test_upgrades_beyond_the_accept_rate_get_429_until_a_token_comes_back(start_server):
    server = start_server("--threads", "2", "--limits-accepts-per-second-per-ip", "2",
                          "--limits-accepts-burst-per-ip", "3", *METRICS)

    async def scenario():
        opened = []
        for name in ("u1", "u2", "u3"):
            ws = await connect(server, name)
            assert await recv(ws) == greeting(name)
            opened.append(ws)
        refusal = await refused_status(server, "u4")
        assert refusal.status_code == 429
        assert refusal.headers.get("Retry-After") == "1"
        await close_all(*opened)  # closing frees no token: only time does
        assert (await refused_status(server, "u4")).status_code == 429
        # A token is back within half a second (2 a second); each try is a full round trip.
        deadline = time.monotonic() + WAIT
        while True:
            try:
                ws = await connect(server, "u4")
                break
            except InvalidStatusCode as again:
                assert again.status_code == 429
                assert time.monotonic() < deadline, "no token came back"
                await asyncio.sleep(0.05)  # pacing the retries, not synchronising
        assert await recv(ws) == greeting("u4")
        await ws.close()
    run(scenario())
    samples = wait_for_scrape(
        server, lambda s: value(s, REJECTED, reason="http_accept_rate_limited") >= 2,
        "the refusals to be counted")
    assert value(samples, REJECTED, reason="http_too_many_connections") == 0
    assert server.wait_for_line(
        r"rejected request: 429 127\.0\.0\.1 opens WebSockets faster than 2 a second", WAIT)
    assert server.wait_for_line(r"upgrade remote=\S+ path=/chat/u4 status=429", WAIT)
