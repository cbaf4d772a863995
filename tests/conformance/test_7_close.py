"""Autobahn section 7: close handling."""
import struct

import pytest

from rawws import CLOSE, PING, TEXT, build_frame, close_payload, text_payload

VALID_CODES = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999]
INVALID_CODES = [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535]


def test_7_1_1_echo_then_close(ws):
    ws.send_frame(TEXT, "Hello")
    ws.expect_message(TEXT, "Hello")
    ws.send_close(1000)
    ws.expect_close(1000)


def test_7_1_2_close_twice(ws):
    """The second close must be ignored: exactly one close frame comes back, then TCP closes."""
    ws.send_raw(build_frame(CLOSE, close_payload(1000)) + build_frame(CLOSE, close_payload(1001)))
    ws.expect_close(1000)


def test_7_1_3_ping_after_close(ws):
    ws.send_raw(build_frame(CLOSE, close_payload(1000)) + build_frame(PING, b"after close"))
    ws.expect_close(1000)  # no pong may come after (or before) the close answer


def test_7_1_4_text_after_close(ws):
    ws.send_raw(build_frame(CLOSE, close_payload(1000)) + build_frame(TEXT, "after close"))
    ws.expect_close(1000)  # not echoed


def test_7_1_5_fragment_then_close_then_continuation(ws):
    ws.send_raw(
        build_frame(TEXT, b"fragment1", fin=False)
        + build_frame(CLOSE, close_payload(1000))
        + build_frame(0x0, b"fragment2")
    )
    ws.expect_close(1000)


def test_7_1_6_large_message_then_close(ws):
    payload = text_payload(256 * 1024)
    ws.send_raw(build_frame(TEXT, payload) + build_frame(CLOSE, close_payload(1000)))
    ws.expect_message(TEXT, payload)
    ws.expect_close(1000)


def test_7_3_1_empty_close(ws):
    ws.send_close()
    ws.expect_close((None, 1000))


def test_7_3_2_one_byte_close_payload(ws):
    ws.send_frame(CLOSE, b"\x03")
    ws.expect_close(1002)


def test_7_3_3_close_code_only(ws):
    ws.send_close(1000)
    ws.expect_close(1000)


def test_7_3_4_close_with_reason(ws):
    ws.send_close(1000, "Normal closure, bye")
    ws.expect_close(1000)


def test_7_3_5_close_with_123_byte_reason(ws):
    """Code + 123-byte reason = 125 bytes, the largest legal control payload."""
    ws.send_close(1000, text_payload(123))
    ws.expect_close(1000)


def test_7_3_5_close_with_123_byte_utf8_reason(ws):
    reason = ("κ" * 61 + "x").encode()  # 123 bytes
    assert len(reason) == 123
    ws.send_close(1000, reason)
    ws.expect_close(1000)


def test_7_3_6_close_with_126_byte_payload(ws):
    ws.send_frame(CLOSE, close_payload(1000, text_payload(124)))
    ws.expect_close(1002)


def test_7_5_1_close_reason_invalid_utf8(ws):
    reason = b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80\x65\x64\x69\x74\x65\x64"
    ws.send_frame(CLOSE, struct.pack("!H", 1000) + reason)
    ws.expect_close(1007)


@pytest.mark.parametrize(
    "reason", [b"\xff", b"ok\xc0\x80", b"\xf4\x90\x80\x80", b"abc\xe2\x82"], ids=["ff", "overlong", "above-10ffff", "truncated"]
)
def test_7_5_x_close_reason_invalid_utf8_more(ws, reason):
    ws.send_frame(CLOSE, struct.pack("!H", 1000) + reason)
    ws.expect_close(1007)


@pytest.mark.parametrize("code", VALID_CODES)
def test_7_7_x_valid_close_code_echoed(ws, code):
    ws.send_close(code)
    ws.expect_close(code)


@pytest.mark.parametrize("code", INVALID_CODES)
def test_7_9_x_invalid_close_code(ws, code):
    ws.send_close(code)
    ws.expect_close(1002)


@pytest.mark.parametrize("code", [1000, 3000])
def test_7_13_x_close_chopped(ws, code):
    ws.send_frame(CLOSE, close_payload(code, "chopped close"), chop=1)
    ws.expect_close(code)


@pytest.mark.parametrize(
    "bad_frame",
    [build_frame(3), build_frame(TEXT, b"unmasked", mask=False), build_frame(PING, text_payload(126))],
    ids=["reserved-opcode", "unmasked", "long-ping"],
)
def test_7_x_protocol_error_closes_tcp_without_waiting(ws, bad_frame):
    """docs/protocol.md: after a protocol error the server closes TCP right after its close frame,
    without waiting (up to its 5 s close timeout) for the client's close frame."""
    ws.send_raw(bad_frame)
    ws.expect_close(1002, reply=False, eof_timeout=2.0)
