"""Autobahn section 4: reserved opcodes (3-7 non-control, 11-15 control) are a protocol error (1002)."""
import pytest

from rawws import PING, TEXT, build_frame

RESERVED = [3, 4, 5, 6, 7, 11, 12, 13, 14, 15]


@pytest.mark.parametrize("opcode", RESERVED)
def test_4_x_reserved_opcode(ws, opcode):
    ws.send_raw(build_frame(opcode))
    ws.expect_close(1002)


@pytest.mark.parametrize("opcode", RESERVED)
def test_4_x_reserved_opcode_with_payload_after_echo(ws, opcode):
    ws.send_raw(
        build_frame(TEXT, "Hello")
        + build_frame(opcode, b"reserved opcode payload")
        + build_frame(PING, b"after")
        + build_frame(TEXT, "after")
    )
    ws.expect_message(TEXT, "Hello")
    ws.expect_close(1002)
