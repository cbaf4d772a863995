"""The client half of permessage-deflate (RFC 7692) for the conformance cases: compresses what
the raw client sends, with or without context takeover, at a chosen window size."""
import random
import zlib

from rawws import BINARY, CONT, RSV1, TEXT, WSClient, build_frame

TAIL = b"\x00\x00\xff\xff"


class Compressor:
    """Compresses messages as a client: raw DEFLATE, sync flush, the 00 00 ff ff tail removed;
    one stream for all messages (context takeover) or a fresh one per message."""

    def __init__(self, window_bits=15, context_takeover=True):
        # zlib cannot make 8-bit windows; like Autobahn, use 9 when 8 was agreed.
        self.window_bits = max(window_bits, 9)
        self.context_takeover = context_takeover
        self.stream = None

    def compress(self, data):
        if self.stream is None or not self.context_takeover:
            self.stream = zlib.compressobj(6, zlib.DEFLATED, -self.window_bits)
        body = self.stream.compress(data) + self.stream.flush(zlib.Z_SYNC_FLUSH)
        assert body.endswith(TAIL)
        return body[:-len(TAIL)]


def send_compressed(client, opcode, payload, compressor, fragment=None):
    """Sends one compressed message, in fragments of `fragment` compressed bytes when given."""
    if isinstance(payload, str):
        payload = payload.encode()
    body = compressor.compress(payload)
    if not fragment or len(body) <= fragment:
        client.send_raw(build_frame(opcode, body, rsv=RSV1))
        return
    pieces = [body[i:i + fragment] for i in range(0, len(body), fragment)]
    frames = [build_frame(opcode, pieces[0], fin=False, rsv=RSV1)]
    frames += [build_frame(CONT, p, fin=False) for p in pieces[1:-1]]
    frames.append(build_frame(CONT, pieces[-1], fin=True))
    client.send_raw(b"".join(frames))


def payload(kind, size, seed=0):
    """Autobahn 12.x payload kinds: repetitive text, random text, JSON-like text, random bytes."""
    rng = random.Random(seed * 1_000_003 + size)
    if kind == "text":
        unit = b"Hello, permessage-deflate! "
        return (unit * (size // len(unit) + 1))[:size]
    if kind == "random_text":
        return bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz ABCDEFG0123456789") for _ in range(size))
    if kind == "json":
        out = b""
        i = 0
        while len(out) < size:
            out += b'{"id":%d,"user":"alice","text":"message number %d"},' % (i, i)
            i += 1
        return out[:size]
    if kind == "binary":
        return rng.randbytes(size)
    raise ValueError(kind)


def open_deflate(port, offer="permessage-deflate; client_max_window_bits"):
    client = WSClient(port, extensions=offer)
    assert client.extensions is not None, f"the server declined {offer!r}"
    return client


__all__ = ["Compressor", "send_compressed", "payload", "open_deflate", "TEXT", "BINARY"]
