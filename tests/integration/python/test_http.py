"""Plain HTTP on the chat port: health endpoints, static client, errors, upgrade validation."""
import base64

import pytest

from parley_client import http_request, open_socket, read_response, upgrade_headers, wait_for_eof


def test_healthz_answers_200_ok(server):
    response = http_request(server, "GET", "/healthz")
    assert response.status == 200
    assert b"ok" in response.body.lower()


def test_readyz_answers_200_ready_while_accepting_users(server):
    response = http_request(server, "GET", "/readyz")
    assert response.status == 200
    assert b"ready" in response.body.lower()


def test_head_healthz_answers_200_without_body(server):
    with open_socket(server) as sock:
        sock.sendall(b"HEAD /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        response = read_response(sock, head_only=True)
        rest = wait_for_eof(sock)
    assert response.status == 200
    assert rest == b"", "a HEAD response has no body"


def test_root_serves_the_web_client_as_html(server):
    response = http_request(server, "GET", "/")
    assert response.status == 200
    assert response.headers.get("content-type", "").startswith("text/html")
    assert b"<html" in response.body.lower()


@pytest.mark.parametrize("path,content_type", [
    ("/app.js", "javascript"),
    ("/style.css", "text/css"),
])
def test_web_client_files_are_served_with_their_content_type(server, path, content_type):
    response = http_request(server, "GET", path)
    assert response.status == 200
    assert content_type in response.headers.get("content-type", "")
    assert response.body


@pytest.mark.parametrize("path", ["/nope", "/chatroom", "/healthz/extra", "/index.htm"])
def test_unknown_path_is_404(server, path):
    assert http_request(server, "GET", path).status == 404


@pytest.mark.parametrize("path", ["/../../../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
                                  "/..%2f..%2f..%2fetc%2fpasswd"])
def test_path_traversal_does_not_escape_the_web_root(server, path):
    response = http_request(server, "GET", path)
    assert response.status in (400, 404)
    assert b"root:" not in response.body


@pytest.mark.parametrize("method,path", [("POST", "/"), ("PUT", "/healthz"), ("DELETE", "/chat/x"),
                                         ("DELETE", "/nope"), ("PATCH", "/"), ("OPTIONS", "/")])
def test_method_other_than_get_or_head_is_405(server, method, path):
    assert http_request(server, method, path).status == 405


@pytest.mark.parametrize("method,path", [("POST", "/"), ("PUT", "/healthz"), ("POST", "/chat/x")])
def test_method_other_than_get_or_head_with_a_small_body_is_405(server, method, path):
    assert http_request(server, method, path, body=b"name=alice").status == 405


def test_chat_path_without_upgrade_is_426(server):
    assert http_request(server, "GET", "/chat/x").status == 426


def test_upgrade_with_version_8_is_426_advertising_version_13(server):
    response = http_request(server, "GET", "/chat/x", headers=upgrade_headers(version="8"))
    assert response.status == 426
    assert response.headers.get("sec-websocket-version") == "13"


def test_upgrade_without_key_is_400(server):
    headers = upgrade_headers()
    del headers["Sec-WebSocket-Key"]
    assert http_request(server, "GET", "/chat/x", headers=headers).status == 400


@pytest.mark.parametrize("key", ["abc", base64.b64encode(bytes(range(15))).decode(), "!!!!notbase64!!!!!!!!!=="])
def test_upgrade_with_bad_key_is_400(server, key):
    assert http_request(server, "GET", "/chat/x", headers=upgrade_headers(key=key)).status == 400


def test_upgrade_without_connection_header_is_400(server):
    headers = upgrade_headers()
    del headers["Connection"]
    headers["Connection"] = "close"
    assert http_request(server, "GET", "/chat/x", headers=headers).status == 400


def test_valid_upgrade_answers_101(server):
    with open_socket(server) as sock:
        headers = upgrade_headers(key="dGhlIHNhbXBsZSBub25jZQ==")
        lines = ["GET /chat/alice HTTP/1.1", "Host: x"] + [f"{k}: {v}" for k, v in headers.items()]
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        response = read_response(sock)
    assert response.status == 101
    assert response.headers["sec-websocket-accept"] == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    assert response.headers["upgrade"].lower() == "websocket"
    assert "upgrade" in response.headers["connection"].lower()


@pytest.mark.parametrize("garbage", [
    pytest.param(b"\x00\x01\x02\xff\xfe garbage \x80\r\n\r\n", id="binary-junk"),
    pytest.param(b"HELLO THERE\r\n\r\n", id="not-a-request-line"),
    pytest.param(b"GET /\r\n\r\n", id="http-0.9-style"),
    pytest.param(b"GET / HTTP/1.1\r\nHost: x\r\nHeader without colon\r\n\r\n", id="bad-header-line"),
    pytest.param(b"GET / FOO/1.1\r\nHost: x\r\n\r\n", id="bad-protocol"),
])
def test_garbage_bytes_get_400_then_the_connection_is_closed(server, garbage):
    with open_socket(server) as sock:
        sock.sendall(garbage)
        response = read_response(sock)
        assert response.status == 400
        wait_for_eof(sock)  # raises socket.timeout if the server keeps the connection open


def test_request_head_over_8_kib_gets_400_then_the_connection_is_closed(server):
    with open_socket(server) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n")
        response = read_response(sock)
        assert response.status == 400
        wait_for_eof(sock)


def test_many_headers_over_8_kib_in_total_get_400(server):
    headers = b"".join(b"X-H%d: %s\r\n" % (i, b"v" * 90) for i in range(100))
    with open_socket(server) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n")
        response = read_response(sock)
        assert response.status == 400
        wait_for_eof(sock)


def test_unterminated_head_over_8_kib_gets_400_without_waiting_for_the_end(server):
    with open_socket(server) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 9000)
        response = read_response(sock)
        assert response.status == 400
        wait_for_eof(sock)


def test_request_head_under_8_kib_is_served(server):
    response = http_request(server, "GET", "/healthz", headers={"X-Big": "a" * 7000})
    assert response.status == 200


def test_server_keeps_serving_after_bad_requests(server):
    for _ in range(3):
        with open_socket(server) as sock:
            sock.sendall(b"JUNK\r\n\r\n")
            assert read_response(sock).status == 400
    assert http_request(server, "GET", "/healthz").status == 200
