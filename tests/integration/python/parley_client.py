"""Client helpers for the Parley integration tests (not a test file itself).

* `websockets` (asyncio API) for well-behaved chat clients,
* `RawWs`: a hand-written WebSocket client on an asyncio stream, for frames a library refuses
  to send (unmasked, invalid UTF-8, reserved bits, ...),
* blocking raw-socket HTTP helpers.

Every wait has a timeout; nothing sleeps to synchronise.
"""
import asyncio
import base64
import hashlib
import os
import socket
import struct
import time
import weakref
from dataclasses import dataclass

import websockets

WAIT = 5.0  # seconds for any single expected event
# Server arguments for tests that send faster than a person types (limits.messages_per_second).
NO_RATE_LIMIT = ("--limits-messages-per-second", "0")

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


_connections = weakref.WeakSet()  # every websockets client opened here, for run() to drop


def run(coro):
    """Runs a test coroutine on a fresh event loop. When it fails, its connections are dropped
    at once: a closing handshake that nobody waits for would hold the loop for close_timeout."""
    async def guarded():
        try:
            return await coro
        except BaseException:
            for ws in list(_connections):
                if ws.transport is not None:
                    ws.transport.abort()
            raise
    return asyncio.run(guarded())


def track(ws):
    """Registers a websockets client for run() to drop on failure; returns it."""
    _connections.add(ws)
    return ws


# ---------------------------------------------------------------- expected texts


def greeting(name):
    return f"Hi {name}! You have successfully connected to the chat"


def joined(name, age=None):
    if age is None:
        return f"{name} connected to chat"
    return f"{name} with age {age} connected to chat"


def said(name, text):
    return f"{name}: {text}"


def left(name):
    return f"{name} left the chat"


# ---------------------------------------------------------------- websockets clients


def chat_url(server, path_name, query=None):
    """path_name is put into the URL as given (already percent-encoded where needed)."""
    url = f"{server.url}/chat/{path_name}"
    if query is not None:
        url += "?" + query
    return url


async def connect(server, path_name, query=None, **kwargs):
    """Opens a WebSocket to /chat/{path_name}; returns after the upgrade (before any message)."""
    kwargs.setdefault("open_timeout", WAIT)
    kwargs.setdefault("close_timeout", WAIT)
    kwargs.setdefault("compression", None)
    kwargs.setdefault("ping_interval", None)
    kwargs.setdefault("max_size", None)
    kwargs.setdefault("max_queue", None)
    if getattr(server, "ssl_context", None) is not None:
        kwargs.setdefault("ssl", server.ssl_context)
    return track(await websockets.connect(chat_url(server, path_name, query), **kwargs))


async def recv(ws, timeout=WAIT):
    return await asyncio.wait_for(ws.recv(), timeout)


async def join(server, path_name, name=None, age=None, query=None):
    """Connects and checks the greeting. name is the decoded name (default: path_name)."""
    if age is not None and query is None:
        query = f"age={age}"
    ws = await connect(server, path_name, query)
    first = await recv(ws)
    assert first == greeting(name if name is not None else path_name)
    return ws


async def receive_n(ws, n, timeout=WAIT):
    """Receives exactly n text messages (each within timeout)."""
    return [await recv(ws, timeout) for _ in range(n)]


async def receive_until(ws, wanted, timeout=WAIT):
    """Receives until a message equal to `wanted` arrives; returns the messages before it."""
    before = []
    while True:
        message = await recv(ws, timeout)
        if message == wanted:
            return before
        before.append(message)


async def sync(ws, name, marker="sync-marker"):
    """Sends a marker and returns every message received before its echo.

    The room has one order, so anything the server sent to this client before the marker
    (such as an unexpected notice) shows up in the returned list.
    """
    await ws.send(marker)
    return await receive_until(ws, said(name, marker))


async def closed(ws, timeout=WAIT):
    """Waits until the server closes ws; returns (code, reason, messages received before)."""
    messages = []
    deadline = time.monotonic() + timeout
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise asyncio.TimeoutError("connection was not closed in time")
            messages.append(await asyncio.wait_for(ws.recv(), remaining))
    except websockets.ConnectionClosed:
        pass
    await asyncio.wait_for(ws.wait_closed(), max(deadline - time.monotonic(), 0.5))
    return ws.close_code, ws.close_reason, messages


async def close_all(*sockets):
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)


# ---------------------------------------------------------------- raw WebSocket client


def ws_accept(key):
    return base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()


def masked(payload, key):
    """payload XOR the repeated 4-byte key, in one big-integer operation (fast for large ones)."""
    if not payload:
        return payload
    n = len(payload)
    stream = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(stream, "big")).to_bytes(n, "big")


def encode_frame(opcode, payload=b"", fin=True, mask=True, rsv=0, length=None):
    """One client frame; `length` overrides the announced payload length (a header that lies)."""
    if isinstance(payload, str):
        payload = payload.encode()
    first = (0x80 if fin else 0) | (rsv << 4) | opcode
    mask_bit = 0x80 if mask else 0
    n = len(payload) if length is None else length
    if n < 126:
        head = bytes([first, mask_bit | n])
    elif n < 65536:
        head = bytes([first, mask_bit | 126]) + struct.pack("!H", n)
    else:
        head = bytes([first, mask_bit | 127]) + struct.pack("!Q", n)
    if mask:
        key = os.urandom(4)
        payload = masked(payload, key)
        head += key
    return head + payload


def close_payload(code, reason=""):
    return struct.pack("!H", code) + reason.encode()


@dataclass
class Frame:
    fin: bool
    rsv: int
    opcode: int
    payload: bytes
    masked: bool

    @property
    def text(self):
        return self.payload.decode()

    @property
    def close_code(self):
        return struct.unpack("!H", self.payload[:2])[0] if len(self.payload) >= 2 else None

    @property
    def close_reason(self):
        return self.payload[2:].decode()


async def read_frame(reader):
    """(first byte, masking key or None, payload as sent) of the next frame on an asyncio stream;
    raises EOFError when the peer closed or reset the connection."""
    try:
        b0, b1 = await reader.readexactly(2)
        n = b1 & 0x7F
        if n == 126:
            n = struct.unpack("!H", await reader.readexactly(2))[0]
        elif n == 127:
            n = struct.unpack("!Q", await reader.readexactly(8))[0]
        key = await reader.readexactly(4) if b1 & 0x80 else None
        return b0, key, await reader.readexactly(n)
    except asyncio.IncompleteReadError as exc:
        raise EOFError("server closed the connection") from exc
    except ConnectionResetError as exc:
        raise EOFError("server reset the connection") from exc


class RawWs:
    """A minimal WebSocket client over an asyncio stream; it sends exactly the bytes asked for."""

    def __init__(self, reader, writer, response_head):
        self.reader = reader
        self.writer = writer
        self.response_head = response_head

    @classmethod
    async def open(cls, server, path, timeout=WAIT, headers=None):
        """headers: extra request header lines, e.g. {"Sec-WebSocket-Extensions": "..."}."""
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection("127.0.0.1", server.port), timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        extra = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
        request = (
            f"GET {path} HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{server.port}\r\n"
            "Upgrade: websocket\r\n"
            "Connection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n"
            f"{extra}"
            "\r\n"
        )
        writer.write(request.encode())
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
        text = head.decode("latin-1")
        status = text.split("\r\n", 1)[0]
        assert status.startswith("HTTP/1.1 101"), f"upgrade refused: {text!r}"
        headers = parse_headers(text)
        assert headers.get("sec-websocket-accept") == ws_accept(key), text
        return cls(reader, writer, text)

    @classmethod
    async def join(cls, server, path_name, name=None):
        """Opens /chat/{path_name} and checks the greeting."""
        raw = await cls.open(server, f"/chat/{path_name}")
        frame = await raw.recv_frame()
        assert frame.opcode == OP_TEXT and frame.text == greeting(name or path_name), frame
        return raw

    def write(self, data):
        self.writer.write(data)

    async def send_frame(self, opcode, payload=b"", fin=True, mask=True, rsv=0):
        self.writer.write(encode_frame(opcode, payload, fin=fin, mask=mask, rsv=rsv))
        await self.writer.drain()

    async def recv_frame(self, timeout=WAIT):
        """Next frame from the server; raises EOFError when the server closed the TCP connection."""
        b0, key, payload = await asyncio.wait_for(read_frame(self.reader), timeout)
        if key:
            payload = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
        return Frame(bool(b0 & 0x80), (b0 >> 4) & 7, b0 & 0x0F, payload, key is not None)

    async def recv_text(self, timeout=WAIT):
        frame = await self.recv_frame(timeout)
        assert frame.opcode == OP_TEXT and frame.fin, frame
        return frame.text

    async def expect_close(self, timeout=WAIT):
        """Reads frames up to the server's close frame; returns (code, reason, texts before)."""
        texts = []
        while True:
            frame = await self.recv_frame(timeout)
            assert not frame.masked, "server frames must not be masked"
            if frame.opcode == OP_CLOSE:
                return frame.close_code, frame.close_reason, texts
            if frame.opcode == OP_TEXT:
                texts.append(frame.text)

    async def expect_eof(self, timeout=WAIT):
        """Waits until the server closes the TCP connection (EOF or reset) with no more data."""
        async def read():
            try:
                return await self.reader.read(65536)
            except ConnectionResetError:
                return b""
        data = await asyncio.wait_for(read(), timeout)
        assert data == b"", f"expected the connection to be closed, got {data!r}"

    def abort(self, reset=False):
        """Drops the TCP connection without a close frame (with an RST when reset=True)."""
        if reset:
            sock = self.writer.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.writer.transport.abort()

    def close_tcp(self):
        self.writer.close()


# ---------------------------------------------------------------- raw HTTP


def parse_headers(head_text):
    headers = {}
    for line in head_text.split("\r\n")[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    return headers


@dataclass
class HttpResponse:
    status: int
    headers: dict
    body: bytes
    raw_head: str


def open_socket(server, timeout=WAIT):
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=timeout)
    sock.settimeout(timeout)
    return sock


def _recv(sock):
    try:
        return sock.recv(65536)
    except ConnectionResetError:
        return b""


def read_response(sock, head_only=False):
    """Reads one HTTP response from a blocking socket (timeouts raise socket.timeout)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = _recv(sock)
        if not chunk:
            raise AssertionError(f"connection closed before a full response head: {data!r}")
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    head_text = head.decode("latin-1")
    status_line = head_text.split("\r\n", 1)[0]
    parts = status_line.split(" ", 2)
    assert parts[0] == "HTTP/1.1", f"bad status line {status_line!r}"
    status = int(parts[1])
    headers = parse_headers(head_text)
    if head_only or status in (101, 204, 304) or 100 <= status < 200:
        return HttpResponse(status, headers, b"", head_text)
    if "content-length" in headers:
        length = int(headers["content-length"])
        while len(rest) < length:
            chunk = _recv(sock)
            if not chunk:
                break
            rest += chunk
        return HttpResponse(status, headers, rest[:length], head_text)
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body = b""
        while True:
            while b"\r\n" not in rest:
                rest += _recv(sock) or b"\r\n"
            size_line, rest = rest.split(b"\r\n", 1)
            size = int(size_line.split(b";")[0], 16)
            while len(rest) < size + 2:
                chunk = _recv(sock)
                if not chunk:
                    break
                rest += chunk
            body += rest[:size]
            rest = rest[size + 2:]
            if size == 0:
                return HttpResponse(status, headers, body, head_text)
    while True:  # body delimited by the end of the connection
        chunk = _recv(sock)
        if not chunk:
            return HttpResponse(status, headers, rest, head_text)
        rest += chunk


def http_request(server, method, path, headers=None, body=b"", head_only=None):
    """Sends one request with `Connection: close` and returns the response."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{server.port}"]
    all_headers = {"Connection": "close"}
    all_headers.update(headers or {})
    if body:
        all_headers["Content-Length"] = str(len(body))
    lines += [f"{k}: {v}" for k, v in all_headers.items()]
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
    with open_socket(server) as sock:
        sock.sendall(raw)
        return read_response(sock, head_only=(method == "HEAD") if head_only is None else head_only)


def wait_for_eof(sock, timeout=WAIT):
    """Reads until the peer closes (EOF or reset); returns all bytes read. Raises on timeout."""
    sock.settimeout(timeout)
    deadline = time.monotonic() + timeout
    data = b""
    while True:
        sock.settimeout(max(deadline - time.monotonic(), 0.001))
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return data
        if not chunk:
            return data
        data += chunk


def upgrade_headers(key=None, version="13"):
    return {
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Key": key or base64.b64encode(os.urandom(16)).decode(),
        "Sec-WebSocket-Version": version,
    }
