"""A tiny raw-socket RFC 6455 client for the conformance suite.

It deliberately gives full control over every bit of what the client sends (FIN, RSV, opcode,
mask bit and key, and how the payload length is encoded, including illegal encodings), and it
checks everything the server sends: server frames must be unmasked, use no reserved bits or
opcodes, use the minimal length encoding, keep control frames unfragmented and <= 125 bytes,
send well-formed close payloads and valid UTF-8 in text messages, and send nothing after their
close frame.
"""
import base64
import hashlib
import os
import socket
import struct
import time
import zlib

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

CONT, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
RSV1, RSV2, RSV3 = 0x40, 0x20, 0x10
KNOWN_OPCODES = {CONT, TEXT, BINARY, CLOSE, PING, PONG}
OPCODE_NAMES = {CONT: "continuation", TEXT: "text", BINARY: "binary", CLOSE: "close", PING: "ping", PONG: "pong"}

DEFAULT_TIMEOUT = 5.0


class ServerViolation(AssertionError):
    """The server sent something RFC 6455 forbids."""


def close_code_sendable(code):
    """Codes an endpoint may put in a close frame (RFC 6455 7.4, IANA registry)."""
    return 1000 <= code <= 1003 or 1007 <= code <= 1014 or 3000 <= code <= 4999


def mask_bytes(payload, key):
    if not payload:
        return b""
    n = len(payload)
    stream = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(stream, "big")).to_bytes(n, "big")


def build_frame(opcode, payload=b"", fin=True, rsv=0, mask=True, mask_key=None, length=None, length_form=None):
    """Encodes one frame.

    opcode: any 0..15; rsv: OR of RSV1/RSV2/RSV3; mask: set the MASK bit and mask the payload;
    length: the length to *declare* (default len(payload)); length_form: 7, 16 or 64 to force an
    encoding (default: the minimal one).
    """
    if isinstance(payload, str):
        payload = payload.encode("utf-8")
    declared = len(payload) if length is None else length
    if length_form is None:
        length_form = 7 if declared <= 125 else 16 if declared <= 0xFFFF else 64
    b0 = (0x80 if fin else 0) | (rsv & 0x70) | (opcode & 0x0F)
    mbit = 0x80 if mask else 0
    if length_form == 7:
        head = struct.pack("!BB", b0, mbit | declared)
    elif length_form == 16:
        head = struct.pack("!BBH", b0, mbit | 126, declared)
    elif length_form == 64:
        head = struct.pack("!BBQ", b0, mbit | 127, declared)
    else:
        raise ValueError(length_form)
    if mask:
        key = os.urandom(4) if mask_key is None else mask_key
        return head + key + mask_bytes(payload, key)
    return head + payload


def close_payload(code=None, reason=b""):
    if code is None:
        return b""
    if isinstance(reason, str):
        reason = reason.encode("utf-8")
    return struct.pack("!H", code) + reason


class Frame:
    def __init__(self, fin, rsv, opcode, payload):
        self.fin, self.rsv, self.opcode, self.payload = fin, rsv, opcode, payload

    def __repr__(self):
        return f"Frame({OPCODE_NAMES.get(self.opcode, self.opcode)}, fin={self.fin}, {describe(self.payload)})"


class Event:
    """What the server said: kind is 'message' (opcode TEXT/BINARY, payload assembled), 'pong' or 'close'."""

    def __init__(self, kind, opcode, payload, code=None, reason=None):
        self.kind, self.opcode, self.payload, self.code, self.reason = kind, opcode, payload, code, reason

    def __repr__(self):
        if self.kind == "close":
            return f"close(code={self.code}, reason={self.reason!r})"
        if self.kind == "message":
            return f"{OPCODE_NAMES[self.opcode]} message({describe(self.payload)})"
        return f"{self.kind}({describe(self.payload)})"


def describe(data):
    if len(data) <= 40:
        return repr(bytes(data))
    return f"{len(data)} bytes {bytes(data[:16])!r}..."


class WSClient:
    def __init__(self, port, path="/echo", host="127.0.0.1", timeout=DEFAULT_TIMEOUT, extensions=None):
        """extensions: a Sec-WebSocket-Extensions offer; the server's answer is in self.extensions
        (None: declined), and with permessage-deflate agreed, compressed messages are inflated."""
        self.timeout = timeout
        self.offer = extensions
        self.extensions = None
        self._frag_compressed = False
        self.last_compressed = False
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.got_close = False
        self.sent_close = False
        self._frag_opcode = None
        self._frag_parts = []
        self._handshake(host, port, path)

    # ---- handshake -------------------------------------------------------------------------
    def _handshake(self, host, port, path):
        key = base64.b64encode(os.urandom(16)).decode()
        request = (
            f"GET {path} HTTP/1.1\r\n"
            f"Host: {host}:{port}\r\n"
            "Upgrade: websocket\r\n"
            "Connection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n"
            + (f"Sec-WebSocket-Extensions: {self.offer}\r\n" if self.offer else "")
            + "\r\n"
        )
        self.sock.sendall(request.encode())
        while b"\r\n\r\n" not in self.buf:
            chunk = self._recv_some()
            if not chunk:
                raise ServerViolation(f"connection closed during handshake: {bytes(self.buf)!r}")
            if len(self.buf) > 16384:
                raise ServerViolation("handshake response head too long")
        end = self.buf.index(b"\r\n\r\n") + 4
        head = bytes(self.buf[:end]).decode("latin-1")
        del self.buf[:end]
        lines = head.split("\r\n")
        status = lines[0].split(" ", 2)
        if len(status) < 2 or status[0] != "HTTP/1.1" or status[1] != "101":
            raise ServerViolation(f"handshake not answered with 101: {lines[0]!r}")
        headers = {}
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                headers.setdefault(name.strip().lower(), []).append(value.strip())
        expected_accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
        assert headers.get("sec-websocket-accept") == [expected_accept], f"bad Sec-WebSocket-Accept: {headers}"
        assert [v.lower() for v in headers.get("upgrade", [])] == ["websocket"], f"bad Upgrade: {headers}"
        conn_tokens = [t.strip().lower() for v in headers.get("connection", []) for t in v.split(",")]
        assert "upgrade" in conn_tokens, f"bad Connection: {headers}"
        assert "sec-websocket-protocol" not in headers, "server chose a subprotocol nobody offered"
        if self.offer is None:
            assert "sec-websocket-extensions" not in headers, "server chose an extension nobody offered"
        else:
            answers = headers.get("sec-websocket-extensions", [])
            assert len(answers) <= 1, f"several Sec-WebSocket-Extensions answers: {answers}"
            self.extensions = answers[0] if answers else None

    # ---- sending -----------------------------------------------------------------------------
    def send_raw(self, data, chop=None, tolerate_close=False):
        """Writes bytes, optionally in chops of `chop` bytes (one send() each, TCP_NODELAY set).

        With tolerate_close, a server that already dropped the connection (it may fail the
        connection before the client finishes writing) is not an error.
        """
        try:
            if not chop:
                self.sock.sendall(data)
            else:
                view = memoryview(data)
                for i in range(0, len(data), chop):
                    self.sock.sendall(view[i:i + chop])
        except (BrokenPipeError, ConnectionResetError):
            if not tolerate_close:
                raise

    def send_frame(self, opcode, payload=b"", chop=None, tolerate_close=False, **kw):
        if opcode == CLOSE:
            self.sent_close = True
        self.send_raw(build_frame(opcode, payload, **kw), chop=chop, tolerate_close=tolerate_close)

    def send_text(self, payload, **kw):
        self.send_frame(TEXT, payload, **kw)

    def send_binary(self, payload, **kw):
        self.send_frame(BINARY, payload, **kw)

    def send_close(self, code=None, reason=b"", **kw):
        self.send_frame(CLOSE, close_payload(code, reason), **kw)

    # ---- receiving ---------------------------------------------------------------------------
    def _recv_some(self):
        chunk = self.sock.recv(1 << 20)
        self.buf += chunk
        return chunk

    def _recv_exact(self, n, what):
        while len(self.buf) < n:
            try:
                chunk = self._recv_some()
            except socket.timeout:
                raise AssertionError(f"timed out ({self.timeout} s) waiting for {what}") from None
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                if self.buf:
                    raise ServerViolation(f"connection closed in the middle of a frame ({what}): {describe(self.buf)}")
                raise ServerViolation(f"connection closed without a close frame while waiting for {what}")
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    def recv_frame(self):
        """Reads and validates one server frame."""
        if self.got_close:
            raise AssertionError("test bug: reading frames after the server's close frame")
        b0, b1 = self._recv_exact(2, "a frame")
        fin, rsv, opcode = bool(b0 & 0x80), b0 & 0x70, b0 & 0x0F
        masked, length = bool(b1 & 0x80), b1 & 0x7F
        if length == 126:
            (length,) = struct.unpack("!H", self._recv_exact(2, "16-bit length"))
            if length < 126:
                raise ServerViolation(f"server used a 16-bit length for {length} bytes (not minimal)")
        elif length == 127:
            (length,) = struct.unpack("!Q", self._recv_exact(8, "64-bit length"))
            if length >> 63:
                raise ServerViolation("server sent a 64-bit length with the most significant bit set")
            if length <= 0xFFFF:
                raise ServerViolation(f"server used a 64-bit length for {length} bytes (not minimal)")
        if masked:
            raise ServerViolation(f"server sent a masked frame (opcode {opcode})")
        deflate = self.extensions is not None and self.extensions.startswith("permessage-deflate")
        if rsv and not (deflate and rsv == RSV1):
            raise ServerViolation(f"server set reserved bits {rsv:#x} without an extension")
        if rsv and opcode not in (TEXT, BINARY):
            raise ServerViolation(f"server set RSV1 on a frame with opcode {opcode} (RFC 7692 §6.1)")
        if opcode not in KNOWN_OPCODES:
            raise ServerViolation(f"server used reserved opcode {opcode}")
        if opcode >= 0x8:
            if not fin:
                raise ServerViolation(f"server fragmented a control frame (opcode {opcode})")
            if length > 125:
                raise ServerViolation(f"server control frame payload of {length} bytes (> 125)")
        payload = self._recv_exact(length, f"a {length}-byte payload") if length else b""
        return Frame(fin, rsv, opcode, payload)

    def recv_event(self):
        """Returns the next Event. Server pings are answered and skipped."""
        while True:
            frame = self.recv_frame()
            op = frame.opcode
            if op == PING:
                if not self.sent_close:
                    self.send_frame(PONG, frame.payload, tolerate_close=True)
                continue
            if op == PONG:
                return Event("pong", op, frame.payload)
            if op == CLOSE:
                self.got_close = True
                code, reason = parse_close(frame.payload)
                return Event("close", op, frame.payload, code, reason)
            if op == CONT:
                if self._frag_opcode is None:
                    raise ServerViolation("server sent a continuation frame with no message open")
                self._frag_parts.append(frame.payload)
            else:
                if self._frag_opcode is not None:
                    raise ServerViolation("server started a new message inside a fragmented one")
                self._frag_opcode = op
                self._frag_parts = [frame.payload]
                self._frag_compressed = bool(frame.rsv)
            if frame.fin:
                opcode, payload = self._frag_opcode, b"".join(self._frag_parts)
                self._frag_opcode, self._frag_parts = None, []
                self.last_compressed = self._frag_compressed  # for tests of the extension
                if self._frag_compressed:
                    # server_no_context_takeover: each message must inflate on its own.
                    try:
                        payload = zlib.decompressobj(-15).decompress(payload + b"\x00\x00\xff\xff")
                    except zlib.error as e:
                        raise ServerViolation(f"server sent a compressed message that does not inflate: {e}") from None
                if opcode == TEXT:
                    try:
                        payload.decode("utf-8")
                    except UnicodeDecodeError as e:
                        raise ServerViolation(f"server sent invalid UTF-8 in a text message: {e}") from None
                return Event("message", opcode, payload)

    # ---- expectations ------------------------------------------------------------------------
    def expect_message(self, opcode, payload):
        if isinstance(payload, str):
            payload = payload.encode("utf-8")
        ev = self.recv_event()
        expected = f"{OPCODE_NAMES[opcode]} message({describe(payload)})"
        assert ev.kind == "message", f"expected {expected}, got {ev}"
        assert ev.opcode == opcode, f"expected {expected}, got {ev}"
        if ev.payload != payload:
            diff = next((i for i, (a, b) in enumerate(zip(ev.payload, payload)) if a != b), min(len(ev.payload), len(payload)))
            raise AssertionError(f"expected {expected}, got {ev} (first difference at byte {diff})")
        return ev

    def expect_pong(self, payload):
        ev = self.recv_event()
        assert ev.kind == "pong", f"expected pong({describe(payload)}), got {ev}"
        assert ev.payload == payload, f"expected pong({describe(payload)}), got {ev}"
        return ev

    def expect_close(self, codes, reply=None, eof_timeout=DEFAULT_TIMEOUT):
        """Expects the next thing from the server to be a close frame with a code in `codes`
        (None in codes means: an empty close payload), then expects the server to close TCP.

        reply: send our own close frame back (default: only if we have not sent one yet).
        eof_timeout: how long the server may take to close TCP after its close frame.
        """
        if isinstance(codes, int) or codes is None:
            codes = (codes,)
        ev = self.recv_event()
        want = " or ".join("empty close" if c is None else str(c) for c in codes)
        assert ev.kind == "close", f"expected close {want}, got {ev} first"
        assert ev.code in codes, f"expected close {want}, got {ev}"
        if reply is None:
            reply = not self.sent_close
        if reply:
            self.send_close(ev.code, tolerate_close=True)
        self.expect_tcp_close(eof_timeout)
        return ev

    def expect_tcp_close(self, timeout=DEFAULT_TIMEOUT):
        """After the server's close frame: nothing more may arrive, and the server must close TCP."""
        if self.buf:
            raise ServerViolation(f"server sent data after its close frame: {describe(self.buf)}")
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"server did not close the TCP connection within {timeout} s of its close frame")
            self.sock.settimeout(remaining)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            except ConnectionResetError:
                chunk = b""  # closed (with unread data on its side); still a close
            finally:
                self.sock.settimeout(self.timeout)
            if chunk:
                raise ServerViolation(f"server sent data after its close frame: {describe(chunk)}")
            return

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def parse_close(payload):
    if len(payload) == 0:
        return None, None
    if len(payload) == 1:
        raise ServerViolation("server sent a 1-byte close payload")
    (code,) = struct.unpack("!H", payload[:2])
    if not close_code_sendable(code):
        raise ServerViolation(f"server sent close code {code}, which may not be sent on the wire")
    try:
        reason = payload[2:].decode("utf-8")
    except UnicodeDecodeError:
        raise ServerViolation(f"server close reason is not valid UTF-8: {payload[2:]!r}") from None
    return code, reason


def text_payload(n):
    """n bytes of printable ASCII (so any length is valid UTF-8)."""
    pattern = b"".join(bytes([0x21 + (i % 94)]) for i in range(94))
    return (pattern * (n // len(pattern) + 1))[:n]


def binary_payload(n, seed=0):
    """n deterministic pseudo-random bytes covering all byte values."""
    import random

    return random.Random(f"{seed}-{n}").randbytes(n)
