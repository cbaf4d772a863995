"""Masking (RFC 6455 5.1/5.3): every client frame must be masked; an unmasked one is a protocol error."""
import pytest

from rawws import BINARY, CLOSE, PING, PONG, TEXT, build_frame, close_payload

UNMASKED = {
    "text": (TEXT, b"unmasked text"),
    "text-empty": (TEXT, b""),
    "binary": (BINARY, b"\x00\x01\x02"),
    "ping": (PING, b"unmasked ping"),
    "pong": (PONG, b"unmasked pong"),
    "close": (CLOSE, close_payload(1000)),
}


@pytest.mark.parametrize("name", list(UNMASKED))
def test_8_1_x_unmasked_client_frame(ws, name):
    opcode, payload = UNMASKED[name]
    ws.send_raw(build_frame(opcode, payload, mask=False))
    ws.expect_close(1002)


def test_8_2_1_unmasked_frame_after_echo(ws):
    ws.send_raw(build_frame(TEXT, "masked") + build_frame(TEXT, "unmasked", mask=False) + build_frame(TEXT, "after"))
    ws.expect_message(TEXT, "masked")
    ws.expect_close(1002)


def test_8_2_2_unmasked_continuation(ws):
    ws.send_raw(build_frame(TEXT, b"masked", fin=False) + build_frame(0x0, b"unmasked", mask=False))
    ws.expect_close(1002)
