"""Autobahn section 9 (scaled down): message size limit (1 MiB here), length encoding, many messages."""
import struct

import pytest

from conftest import MAX_MESSAGE_SIZE
from rawws import BINARY, CONT, TEXT, binary_payload, build_frame, text_payload


def payload_for(opcode, n):
    return text_payload(n) if opcode == TEXT else binary_payload(n)


@pytest.mark.parametrize("opcode", [TEXT, BINARY], ids=["text", "binary"])
def test_9_1_x_single_frame_over_limit(ws, opcode):
    ws.send_frame(opcode, payload_for(opcode, MAX_MESSAGE_SIZE + 1), tolerate_close=True)
    ws.expect_close(1009)


@pytest.mark.parametrize("opcode", [TEXT, BINARY], ids=["text", "binary"])
def test_9_1_x_declared_length_over_limit(ws, opcode):
    """A header declaring 2^40 bytes: the server must refuse without waiting for the payload."""
    ws.send_raw(build_frame(opcode, b"", length=1 << 40) + b"x" * 16)
    ws.expect_close(1009)


@pytest.mark.parametrize(
    "parts",
    [[300000] * 4, [16384] * 64 + [1], [MAX_MESSAGE_SIZE, 1]],
    ids=["4x300000", "64x16384+1", "limit+1"],
)
@pytest.mark.parametrize("opcode", [TEXT, BINARY], ids=["text", "binary"])
def test_9_2_x_fragmented_message_over_limit(ws, opcode, parts):
    data = b"".join(
        build_frame(opcode if i == 0 else CONT, payload_for(opcode, n), fin=(i == len(parts) - 1)) for i, n in enumerate(parts)
    )
    ws.send_raw(data, tolerate_close=True)
    ws.expect_close(1009)


@pytest.mark.parametrize("opcode", [TEXT, BINARY], ids=["text", "binary"])
def test_9_2_x_fragmented_message_exactly_at_limit(ws, opcode):
    payload = payload_for(opcode, MAX_MESSAGE_SIZE)
    chunk = MAX_MESSAGE_SIZE // 16
    parts = [payload[i:i + chunk] for i in range(0, MAX_MESSAGE_SIZE, chunk)]
    ws.send_raw(b"".join(build_frame(opcode if i == 0 else CONT, p, fin=(i == len(parts) - 1)) for i, p in enumerate(parts)))
    ws.expect_message(opcode, payload)


@pytest.mark.parametrize("opcode", [TEXT, BINARY], ids=["text", "binary"])
def test_9_3_x_64bit_length_msb_set(ws, opcode):
    """RFC 6455 5.2: the most significant bit of a 64-bit length MUST be 0."""
    header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, (1 << 63) | 5)
    ws.send_raw(header + b"\x00\x00\x00\x00" + b"hello")
    ws.expect_close(1002)


@pytest.mark.parametrize("opcode", [TEXT, BINARY], ids=["text", "binary"])
def test_9_7_x_many_messages_pipelined(ws, opcode):
    """1,000 small messages in one write come back as 1,000 echoes, in order."""
    msgs = [(f"message {i:04d} " + "x" * (i % 50)).encode() for i in range(1000)]
    if opcode == BINARY:
        msgs = [m + bytes([i % 256]) for i, m in enumerate(msgs)]
    ws.send_raw(b"".join(build_frame(opcode, m) for m in msgs))
    for m in msgs:
        ws.expect_message(opcode, m)
    ws.send_close(1000)
    ws.expect_close(1000)


def test_9_7_3_many_messages_across_connections(connect):
    """Two clients interleaving pipelined messages each get exactly their own echoes."""
    a, b = connect(), connect()
    for i in range(10):
        a.send_raw(b"".join(build_frame(TEXT, f"a{i}-{j}") for j in range(50)))
        b.send_raw(b"".join(build_frame(BINARY, f"b{i}-{j}".encode()) for j in range(50)))
    for i in range(10):
        for j in range(50):
            a.expect_message(TEXT, f"a{i}-{j}")
            b.expect_message(BINARY, f"b{i}-{j}".encode())
