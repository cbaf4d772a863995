"""Autobahn section 5: fragmentation."""
import pytest

from rawws import (
    BINARY,
    CLOSE,
    CONT,
    PING,
    PONG,
    TEXT,
    binary_payload,
    build_frame,
    close_payload,
    text_payload,
)


def fragments(opcode, parts):
    """Frames for one message split into `parts` (first frame carries the opcode, last has FIN)."""
    out = b""
    for i, part in enumerate(parts):
        out += build_frame(opcode if i == 0 else CONT, part, fin=(i == len(parts) - 1))
    return out


def split(data, n):
    size = -(-len(data) // n)
    return [data[i:i + size] for i in range(0, len(data), size)]


# ---- fragmented control frames --------------------------------------------------------------

@pytest.mark.parametrize(
    "opcode,payload",
    [(PING, b"fragment1"), (PONG, b"fragment1"), (CLOSE, close_payload(1000))],
    ids=["ping", "pong", "close"],
)
def test_5_1_x_fragmented_control_frame(ws, opcode, payload):
    ws.send_raw(build_frame(opcode, payload, fin=False) + build_frame(CONT, b"fragment2"))
    ws.expect_close(1002)


@pytest.mark.parametrize("opcode", [PING, PONG, CLOSE], ids=["ping", "pong", "close"])
def test_5_1_x_fragmented_control_frame_alone(ws, opcode):
    """FIN=0 on a control frame is an error by itself; the server must not wait for a continuation."""
    ws.send_frame(opcode, b"", fin=False)
    ws.expect_close(1002)


# ---- valid fragmented messages --------------------------------------------------------------

@pytest.mark.parametrize("chop", [None, 1], ids=["one-write", "chop1"])
def test_5_3_x_text_in_two_fragments(ws, chop):
    ws.send_raw(fragments(TEXT, [b"fragment1", b"fragment2"]), chop=chop)
    ws.expect_message(TEXT, "fragment1fragment2")


@pytest.mark.parametrize("n", [3, 10, 100])
def test_5_4_x_text_in_many_fragments(ws, n):
    payload = text_payload(1000)
    ws.send_raw(fragments(TEXT, split(payload, n)))
    ws.expect_message(TEXT, payload)


@pytest.mark.parametrize("n", [2, 50])
def test_5_4_x_binary_in_many_fragments(ws, n):
    payload = binary_payload(5000)
    ws.send_raw(fragments(BINARY, split(payload, n)))
    ws.expect_message(BINARY, payload)


def test_5_4_x_one_byte_fragments(ws):
    payload = text_payload(64)
    ws.send_raw(fragments(TEXT, [payload[i:i + 1] for i in range(64)]))
    ws.expect_message(TEXT, payload)


def test_5_4_x_large_fragments(ws):
    """Fragments that themselves use 16- and 64-bit lengths."""
    payload = binary_payload(300000)
    ws.send_raw(fragments(BINARY, [payload[:200], payload[200:70000], payload[70000:]]), chop=32768)
    ws.expect_message(BINARY, payload)


@pytest.mark.parametrize("chop", [None, 1], ids=["one-write", "chop1"])
def test_5_6_x_ping_between_fragments(ws, chop):
    data = build_frame(TEXT, b"fragment1", fin=False) + build_frame(PING, b"ping payload") + build_frame(CONT, b"fragment2")
    ws.send_raw(data, chop=chop)
    ws.expect_pong(b"ping payload")
    ws.expect_message(TEXT, "fragment1fragment2")


def test_5_6_x_ping_sent_before_final_fragment(ws):
    """The pong must not wait for the message to complete."""
    ws.send_raw(build_frame(TEXT, b"fragment1", fin=False) + build_frame(PING, b"answer now"))
    ws.expect_pong(b"answer now")
    ws.send_frame(CONT, b"fragment2")
    ws.expect_message(TEXT, "fragment1fragment2")


def test_5_6_x_pings_between_many_fragments(ws):
    data = (
        build_frame(BINARY, b"\x01", fin=False)
        + build_frame(PING, b"p1")
        + build_frame(CONT, b"\x02", fin=False)
        + build_frame(PING, b"p2")
        + build_frame(CONT, b"\x03", fin=False)
        + build_frame(PING, b"p3")
        + build_frame(CONT, b"\x04")
    )
    ws.send_raw(data)
    ws.expect_pong(b"p1")
    ws.expect_pong(b"p2")
    ws.expect_pong(b"p3")
    ws.expect_message(BINARY, b"\x01\x02\x03\x04")


def test_5_7_x_pong_between_fragments(ws):
    ws.send_raw(build_frame(TEXT, b"fragment1", fin=False) + build_frame(PONG, b"unsolicited") + build_frame(CONT, b"fragment2"))
    ws.expect_message(TEXT, "fragment1fragment2")


def test_5_8_x_close_between_fragments(ws):
    """A close in the middle of a message ends the connection; the partial message is never echoed."""
    ws.send_raw(build_frame(TEXT, b"fragment1", fin=False) + build_frame(CLOSE, close_payload(1000)))
    ws.expect_close(1000)


# ---- empty fragments ------------------------------------------------------------------------

EMPTY_FRAGMENT_CASES = {
    "empty-first": [b"", b"abc"],
    "empty-middle": [b"abc", b"", b"def"],
    "empty-last": [b"abc", b""],
    "all-empty": [b"", b"", b""],
    "many-empty": [b""] * 20 + [b"x"] + [b""] * 20,
}


@pytest.mark.parametrize("opcode", [TEXT, BINARY], ids=["text", "binary"])
@pytest.mark.parametrize("name", list(EMPTY_FRAGMENT_CASES))
def test_5_5_x_empty_fragments(ws, name, opcode):
    parts = EMPTY_FRAGMENT_CASES[name]
    ws.send_raw(fragments(opcode, parts))
    ws.expect_message(opcode, b"".join(parts))


# ---- fragmentation errors -------------------------------------------------------------------

@pytest.mark.parametrize("fin", [True, False], ids=["fin1", "fin0"])
def test_5_9_x_continuation_without_start(ws, fin):
    ws.send_raw(build_frame(CONT, b"fragment", fin=fin) + build_frame(TEXT, "after"))
    ws.expect_close(1002)


def test_5_10_x_continuation_after_complete_message(ws):
    ws.send_raw(build_frame(TEXT, "complete") + build_frame(CONT, b"orphan") + build_frame(TEXT, "after"))
    ws.expect_message(TEXT, "complete")
    ws.expect_close(1002)


def test_5_10_x_continuation_after_finished_fragmented_message(ws):
    ws.send_raw(fragments(TEXT, [b"a", b"b"]) + build_frame(CONT, b"orphan", fin=False) + build_frame(CONT, b"c"))
    ws.expect_message(TEXT, "ab")
    ws.expect_close(1002)


@pytest.mark.parametrize(
    "first,second",
    [(TEXT, TEXT), (TEXT, BINARY), (BINARY, TEXT), (BINARY, BINARY)],
    ids=["text-text", "text-binary", "binary-text", "binary-binary"],
)
@pytest.mark.parametrize("second_fin", [True, False], ids=["fin1", "fin0"])
def test_5_15_x_new_message_inside_fragmented_message(ws, first, second, second_fin):
    ws.send_raw(
        build_frame(first, b"fragment1", fin=False)
        + build_frame(second, b"intruder", fin=second_fin)
        + build_frame(CONT, b"fragment2")
    )
    ws.expect_close(1002)


def test_5_15_x_new_message_after_many_fragments(ws):
    ws.send_raw(
        build_frame(TEXT, b"f1", fin=False)
        + build_frame(CONT, b"f2", fin=False)
        + build_frame(CONT, b"f3", fin=False)
        + build_frame(TEXT, b"intruder")
    )
    ws.expect_close(1002)
