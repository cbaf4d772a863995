"""TLS on the chat port (tls.cert_file, tls.key_file): wss:// and https:// with a certificate
made by the test, the chat and parley.v1 over it, clean failures for plain HTTP, garbage and
silence, and a certificate reload on SIGHUP that keeps connected clients."""
import hashlib
import shutil
import signal
import socket
import ssl
import urllib.request

import pytest

from metrics_scrape import scrape as scrape_now, value, wait_for_scrape
from parley_client import WAIT, join, joined, recv, run
from tls_certificates import client_context, make_certificate, tls_1_1_only
from v1_client import V1Client

METRICS = ("--metrics-enabled", "--metrics-port", "0", "--metrics-bind", "127.0.0.1")


@pytest.fixture
def certificate(tmp_path):
    cert, key, fingerprint = make_certificate(tmp_path, "first")
    return cert, key, fingerprint


@pytest.fixture
def tls_server(start_server, certificate):
    cert, key, _ = certificate
    server = start_server("--threads", "2", "--tls-cert-file", str(cert), "--tls-key-file",
                          str(key), *METRICS)
    server.ssl_context = client_context(cert)
    return server


def peer_fingerprint(ws):
    der = ws.transport.get_extra_info("ssl_object").getpeercert(binary_form=True)
    return hashlib.sha256(der).hexdigest()


def test_the_server_says_it_listens_on_https(tls_server):
    assert tls_server.tls
    assert tls_server.url.startswith("wss://")


def test_legacy_chat_over_wss(tls_server):
    async def scenario():
        alice = await join(tls_server, "alice")
        bob = await join(tls_server, "bob", age=30)
        assert await recv(alice) == "bob with age 30 connected to chat"
        await alice.send("hello over TLS")
        assert await recv(alice) == "alice: hello over TLS"
        assert await recv(bob) == "alice: hello over TLS"
        big = "x" * 60_000  # several TLS records each way (under max_message_size)
        await bob.send(big)
        assert await recv(alice) == "bob: " + big
        assert await recv(bob) == "bob: " + big
        await bob.close()
        assert await recv(alice) == "bob left the chat"
        await alice.close()
    run(scenario())


def test_parley_v1_over_wss(tls_server):
    async def scenario():
        alice = await V1Client.open(tls_server, "alice")
        bob = await V1Client.open(tls_server, "bob")
        await alice.recv_until(lambda e: e["type"] == "join" and e["user"] == "bob")
        await bob.send({"type": "send", "room": "lobby", "text": "hi over wss"})
        for client in (alice, bob):
            event, _ = await client.recv_until(lambda e: e["type"] == "message")
            assert event["text"] == "hi over wss" and event["from"] == "bob"
        await alice.ws.close()
        await bob.ws.close()
    run(scenario())


def test_https_serves_the_web_client_with_tls_1_2_or_newer(tls_server):
    with urllib.request.urlopen(tls_server.http_url + "/", timeout=WAIT,
                                context=tls_server.ssl_context) as response:
        assert response.status == 200
        assert b"<html" in response.read().lower()
    context = client_context(*[])
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.set_alpn_protocols(["h2", "http/1.1"])
    with socket.create_connection(("127.0.0.1", tls_server.port), timeout=WAIT) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as tls:
            assert tls.version() in ("TLSv1.2", "TLSv1.3")
            assert tls.selected_alpn_protocol() == "http/1.1"
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    with socket.create_connection(("127.0.0.1", tls_server.port), timeout=WAIT) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as tls:
            assert tls.version() == "TLSv1.2"
            assert "GCM" in tls.cipher()[0] or "CHACHA20" in tls.cipher()[0]


def test_tls_1_1_is_refused(tls_server):
    context = tls_1_1_only()
    with socket.create_connection(("127.0.0.1", tls_server.port), timeout=WAIT) as raw:
        with pytest.raises((ssl.SSLError, ConnectionError)):
            context.wrap_socket(raw, server_hostname="localhost")
    wait_for_scrape(tls_server, lambda s: value(s, "parley_tls_handshake_failures_total",
                                                reason="protocol") >= 1,
                    "the refused handshake counted")


def read_until_closed(sock):
    sock.settimeout(WAIT)
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk


def test_plain_http_to_the_tls_port_gets_400_and_is_counted(tls_server):
    with socket.create_connection(("127.0.0.1", tls_server.port), timeout=WAIT) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        answer = read_until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 400 Bad Request\r\n"), answer
    assert answer.endswith(b"This port speaks TLS: use https:// or wss://\n"), answer
    wait_for_scrape(tls_server, lambda s: value(s, "parley_tls_handshake_failures_total",
                                                reason="plain_http") == 1,
                    "the plain HTTP request counted")
    test_legacy_chat_over_wss(tls_server)  # and the server goes on


def test_garbage_instead_of_a_client_hello_is_closed(tls_server):
    for garbage in (b"\x16\x03\x01\x00\x05hello" + bytes(range(256)) * 4,
                    bytes(range(255, -1, -1)) * 8):
        with socket.create_connection(("127.0.0.1", tls_server.port), timeout=WAIT) as sock:
            sock.sendall(garbage)
            answer = read_until_closed(sock)  # an alert at most, then the end
            assert len(answer) < 100
    samples = wait_for_scrape(tls_server, lambda s: value(
        s, "parley_tls_handshake_failures_total", reason="protocol") == 2, "both counted")
    assert value(samples, "parley_tls_handshakes_total", result="failed") == 2
    assert value(samples, "parley_tls_handshakes_total", result="ok") == 0
    test_legacy_chat_over_wss(tls_server)


def test_a_silent_or_stalled_handshake_times_out(start_server, certificate):
    cert, key, _ = certificate
    server = start_server("--tls-cert-file", str(cert), "--tls-key-file", str(key),
                          "--limits-handshake-timeout-ms", "300", *METRICS)
    with socket.create_connection(("127.0.0.1", server.port), timeout=WAIT) as silent, \
            socket.create_connection(("127.0.0.1", server.port), timeout=WAIT) as stalled:
        stalled.sendall(b"\x16\x03\x01\x02\x00\x01")  # the first bytes of a ClientHello
        assert read_until_closed(silent) == b""
        assert read_until_closed(stalled) == b""
    wait_for_scrape(server, lambda s: value(s, "parley_tls_handshake_failures_total",
                                            reason="timeout") == 2, "both timeouts counted")


def test_sighup_reloads_the_certificate_and_keeps_connected_clients(tls_server, certificate,
                                                                   tmp_path):
    cert, key, first = certificate
    new_cert, new_key, second = make_certificate(tmp_path, "second")
    assert first != second
    tls_server.ssl_context = client_context(cert, new_cert)

    async def scenario():
        alice = await join(tls_server, "alice")
        assert peer_fingerprint(alice) == first
        shutil.copyfile(new_cert, cert)
        shutil.copyfile(new_key, key)
        seen = len(tls_server.lines)
        tls_server.proc.send_signal(signal.SIGHUP)
        assert tls_server.wait_for_line("reloaded the TLS certificate", WAIT, seen)
        bob = await join(tls_server, "bob")
        assert peer_fingerprint(bob) == second
        assert await recv(alice) == joined("bob")
        for sender, text in ((alice, "still here"), (bob, "new cert"), (alice, "both fine")):
            await sender.send(text)
            name = "alice" if sender is alice else "bob"
            assert await recv(alice) == f"{name}: {text}"
            assert await recv(bob) == f"{name}: {text}"

        # A broken key: logged and counted, and the last good certificate stays in use.
        key.write_text("not a key\n")
        seen = len(tls_server.lines)
        tls_server.proc.send_signal(signal.SIGHUP)
        assert tls_server.wait_for_line("TLS reload failed, keeping the old certificate", WAIT,
                                        seen)
        carol = await join(tls_server, "carol")
        assert peer_fingerprint(carol) == second
        assert await recv(alice) == joined("carol")
        await alice.send("after the failed reload")
        assert await recv(carol) == "alice: after the failed reload"
        for ws in (alice, bob, carol):
            await ws.close()
    run(scenario())
    samples = wait_for_scrape(tls_server, lambda s: value(s, "parley_tls_reloads_total",
                                                          result="failed") == 1, "reloads")
    assert value(samples, "parley_tls_reloads_total", result="ok") == 1
    assert value(samples, "parley_tls_handshakes_total", result="ok") >= 3


def test_sighup_without_tls_changes_nothing(start_server):
    server = start_server()
    seen = len(server.lines)
    server.proc.send_signal(signal.SIGHUP)
    assert server.wait_for_line("TLS is off, nothing to reload", WAIT, seen)
    assert server.proc.poll() is None

    async def scenario():
        alice = await join(server, "alice")
        await alice.close()
    run(scenario())


def test_a_key_that_does_not_match_the_certificate_stops_start_up(tmp_path, certificate):
    from parley_server import ParleyServer
    cert, _, _ = certificate
    _, other_key, _ = make_certificate(tmp_path, "other")
    server = ParleyServer("--tls-cert-file", str(cert), "--tls-key-file", str(other_key))
    with pytest.raises(RuntimeError, match="mismatch|does not match"):
        server.start()
    assert server.proc.wait(WAIT) == 1


def test_a_certificate_without_a_key_is_a_configuration_error(certificate):
    from parley_server import ParleyServer
    cert, _, _ = certificate
    server = ParleyServer("--tls-cert-file", str(cert))
    with pytest.raises(RuntimeError, match="set both"):
        server.start()
    assert server.proc.wait(WAIT) == 2


def test_a_slow_consumer_over_tls_is_closed_and_the_room_goes_on(start_server, certificate):
    cert, key, _ = certificate
    server = start_server("--tls-cert-file", str(cert), "--tls-key-file", str(key),
                          "--limits-max-queued-bytes", str(256 * 1024),
                          "--limits-socket-send-buffer", "4096",
                          "--limits-messages-per-second", "0", *METRICS)
    server.ssl_context = client_context(cert)
    raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    raw.settimeout(WAIT)
    raw.connect(("127.0.0.1", server.port))
    silent = server.ssl_context.wrap_socket(raw, server_hostname="localhost")
    silent.sendall(b"GET /chat/silent HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                   b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                   b"Sec-WebSocket-Version: 13\r\n\r\n")
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = silent.recv(1)
        assert chunk, "server closed during the handshake"
        head += chunk
    assert head.startswith(b"HTTP/1.1 101")
    text = "x" * 32 * 1024

    async def scenario():
        alice = await join(server, "alice")
        for _ in range(1000):  # 32 MiB at most, far past the cap and the kernel's buffers
            await alice.send(text)  # in step with her own copy: only the silent client lags
            assert await recv(alice) == "alice: " + text
            if value(scrape_now(server), "parley_slow_consumer_closes_total") == 1:
                break
        else:
            raise AssertionError("the silent client was never closed")
        assert await recv(alice) == "silent left the chat"
        await alice.send("still here")
        assert await recv(alice) == "alice: still here"
        await alice.close()
    run(scenario())
    # Its stream ends (cleanly or with a TLS error for the records dropped), not hangs.
    with pytest.raises((ssl.SSLError, ConnectionError, AssertionError)):
        while True:
            assert silent.recv(65536), "ended"
    silent.close()
