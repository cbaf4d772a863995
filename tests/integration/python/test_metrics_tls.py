"""metrics.tls: the metrics port serves https:// only, with the chat port's certificate (made by
the test) and TLS settings; plain http:// and TLS 1.1 are refused, metrics.tls without a
certificate stops start-up, and SIGHUP reloads the metrics port's certificate too."""
import hashlib
import shutil
import signal
import socket
import ssl
import urllib.error
import urllib.parse
import urllib.request

import pytest

from metrics_scrape import metrics_url, scrape, value
from parley_client import WAIT
from parley_server import ParleyServer
from tls_certificates import any_certificate, client_context, make_certificate, tls_1_1_only

METRICS_TLS = ("--metrics-enabled", "--metrics-port", "0", "--metrics-bind", "127.0.0.1",
               "--metrics-tls")


@pytest.fixture
def certificate(tmp_path):
    return make_certificate(tmp_path, "first")


@pytest.fixture
def server(start_server, certificate):
    cert, key, _ = certificate
    started = start_server("--tls-cert-file", str(cert), "--tls-key-file", str(key), *METRICS_TLS)
    started.ssl_context = client_context(cert)
    return started


def metrics_port(server):
    return urllib.parse.urlsplit(metrics_url(server)).port


def handshake(port, context):
    """The TLS version and the SHA-256 of the certificate the metrics port shows."""
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as tls:
            return tls.version(), hashlib.sha256(tls.getpeercert(binary_form=True)).hexdigest()


def test_the_server_says_its_metrics_are_on_https(server):
    assert metrics_url(server).startswith("https://127.0.0.1:")


def test_a_scrape_over_https_with_the_certificate_gets_parley_metrics(server):
    samples = scrape(server)  # urllib checks the certificate against the test's CA and 127.0.0.1
    names = {name for name, _ in samples}
    assert "parley_build_info" in names and "parley_connections_open" in names
    # The chat port's counters, not the metrics port's own handshakes.
    assert value(samples, "parley_tls_handshakes_total", result="ok") == 0


def test_the_scrape_is_refused_by_a_client_that_does_not_trust_the_certificate(server, tmp_path):
    other, _, _ = make_certificate(tmp_path, "stranger")
    with pytest.raises(urllib.error.URLError, match="CERTIFICATE_VERIFY_FAILED"):
        urllib.request.urlopen(metrics_url(server), timeout=WAIT, context=client_context(other))


def test_plain_http_to_the_metrics_port_gets_no_metrics(server):
    port = metrics_port(server)
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=WAIT)
    assert refused.value.code == 400
    body = refused.value.read()
    assert b"use https://" in body and b"parley_" not in body
    assert scrape(server)  # and the port goes on serving https://


def test_tls_1_2_and_1_3_only_with_the_chat_ports_ciphers(server):
    port = metrics_port(server)
    context = any_certificate()
    assert handshake(port, context)[0] in ("TLSv1.2", "TLSv1.3")
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as tls:
            assert tls.version() == "TLSv1.2"
            assert "GCM" in tls.cipher()[0] or "CHACHA20" in tls.cipher()[0]
    cbc_only = any_certificate()
    cbc_only.maximum_version = ssl.TLSVersion.TLSv1_2
    cbc_only.set_ciphers("ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA")
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as raw:
        with pytest.raises((ssl.SSLError, ConnectionError)):
            cbc_only.wrap_socket(raw, server_hostname="localhost")


def test_tls_1_1_is_refused(server):
    context = tls_1_1_only()
    with socket.create_connection(("127.0.0.1", metrics_port(server)), timeout=WAIT) as raw:
        with pytest.raises(ssl.SSLError, match="PROTOCOL_VERSION|protocol version|UNSUPPORTED"):
            context.wrap_socket(raw, server_hostname="localhost")


def test_only_get_metrics_is_served(server):
    url = metrics_url(server)
    for path, method, status in (("/", "GET", 404), ("/healthz", "GET", 404),
                                 ("/metrics", "POST", 405)):
        request = urllib.request.Request(url.replace("/metrics", path), method=method)
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.urlopen(request, timeout=WAIT, context=server.ssl_context)
        assert answer.value.code == status, (path, method)
    head = urllib.request.Request(url, method="HEAD")
    with urllib.request.urlopen(head, timeout=WAIT, context=server.ssl_context) as response:
        assert response.status == 200 and response.read() == b""
        assert int(response.headers["Content-Length"]) > 0


def test_metrics_tls_without_a_certificate_is_a_configuration_error():
    server = ParleyServer(*METRICS_TLS)
    with pytest.raises(RuntimeError, match="metrics.tls needs tls.cert_file and tls.key_file"):
        server.start()
    assert server.proc.wait(WAIT) == 2


def test_sighup_reloads_the_metrics_certificate(server, certificate, tmp_path):
    cert, key, first = certificate
    new_cert, new_key, second = make_certificate(tmp_path, "second")
    port = metrics_port(server)
    assert handshake(port, any_certificate())[1] == first
    shutil.copyfile(new_cert, cert)
    shutil.copyfile(new_key, key)
    seen = len(server.lines)
    server.proc.send_signal(signal.SIGHUP)
    assert server.wait_for_line("reloaded the TLS certificate", WAIT, seen)
    # Posted to the metrics loop before that line: the loop has it before our next connection.
    assert handshake(port, any_certificate())[1] == second
    server.ssl_context = client_context(new_cert)  # trusts only the new certificate
    assert scrape(server)

    # A broken key: the metrics port keeps the last good certificate, as the chat port does.
    key.write_text("not a key\n")
    seen = len(server.lines)
    server.proc.send_signal(signal.SIGHUP)
    assert server.wait_for_line("TLS reload failed, keeping the old certificate", WAIT, seen)
    assert handshake(port, any_certificate())[1] == second
    assert scrape(server)


def read_until_closed(sock):
    sock.settimeout(WAIT)
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def test_a_silent_handshake_or_request_is_closed_after_the_handshake_timeout(start_server,
                                                                             certificate):
    cert, key, _ = certificate
    server = start_server("--tls-cert-file", str(cert), "--tls-key-file", str(key),
                          "--limits-handshake-timeout-ms", "300", *METRICS_TLS)
    port = metrics_port(server)
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as silent, \
            socket.create_connection(("127.0.0.1", port), timeout=WAIT) as raw, \
            any_certificate().wrap_socket(raw, server_hostname="localhost") as no_request:
        assert read_until_closed(silent) == b""
        no_request.settimeout(WAIT)
        assert no_request.recv(100) == b""  # close_notify, or the end of the stream


def test_the_server_stops_cleanly_with_a_scrape_connection_open(server):
    """Its loop is stopped with the server, open connections and all (under ASan, the fixture's
    stop() fails the test on a leak report)."""
    raw = socket.create_connection(("127.0.0.1", metrics_port(server)), timeout=WAIT)
    with any_certificate().wrap_socket(raw, server_hostname="localhost") as tls:
        tls.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        assert tls.recv(100).startswith(b"HTTP/1.1 200 OK\r\n")
        assert server.terminate() == 0


def test_the_metrics_ports_handshakes_are_counted_apart_from_the_chat_ports(server):
    with socket.create_connection(("127.0.0.1", metrics_port(server)), timeout=WAIT) as raw:
        with pytest.raises(ssl.SSLError):
            tls_1_1_only().wrap_socket(raw, server_hostname="localhost")
    samples = scrape(server)  # its own handshake is counted before it is answered
    assert value(samples, "parley_metrics_tls_handshakes_total", result="failed") == 1
    assert value(samples, "parley_metrics_tls_handshake_failures_total", reason="protocol") == 1
    assert value(samples, "parley_metrics_tls_handshakes_total", result="ok") >= 1
    assert value(samples, "parley_tls_handshakes_total", result="failed") == 0
    assert value(samples, "parley_tls_handshakes_total", result="ok") == 0


def test_without_metrics_tls_there_are_no_metrics_port_handshake_counts(start_server):
    plain = start_server("--metrics-enabled", "--metrics-port", "0", "--metrics-bind",
                         "127.0.0.1")
    assert not [key for key in scrape(plain) if key[0].startswith("parley_metrics_tls")]
