"""Autobahn section 3: reserved bits. No extension is negotiated, so any RSV bit is a protocol error
(1002) and the offending frame must not be echoed; frames after it must not be processed."""
import pytest

from rawws import BINARY, CLOSE, PING, RSV1, RSV2, RSV3, TEXT, build_frame, close_payload

RSVS = {"rsv1": RSV1, "rsv2": RSV2, "rsv3": RSV3, "rsv123": RSV1 | RSV2 | RSV3}
FRAMES = {"text": (TEXT, b"reserved bits"), "binary": (BINARY, b"\x00\x01reserved"), "ping": (PING, b"ping")}
CASES = [(f, r) for f in FRAMES for r in RSVS]


@pytest.mark.parametrize("kind,rsv", CASES, ids=[f"{f}-{r}" for f, r in CASES])
def test_3_x_reserved_bits(ws, kind, rsv):
    opcode, payload = FRAMES[kind]
    ws.send_raw(
        build_frame(TEXT, "Hello")
        + build_frame(opcode, payload, rsv=RSVS[rsv])
        + build_frame(PING, b"after")
        + build_frame(TEXT, "after")
    )
    ws.expect_message(TEXT, "Hello")
    ws.expect_close(1002)  # no echo of the bad frame, no pong / echo for what followed it


@pytest.mark.parametrize("kind", list(FRAMES))
def test_3_x_reserved_bits_chopped(ws, kind):
    opcode, payload = FRAMES[kind]
    ws.send_frame(opcode, payload, rsv=RSV2, chop=1, tolerate_close=True)
    ws.expect_close(1002)


def test_3_7_close_with_reserved_bits(ws):
    ws.send_raw(build_frame(TEXT, "Hello") + build_frame(CLOSE, close_payload(1000), rsv=RSV1 | RSV2 | RSV3))
    ws.expect_message(TEXT, "Hello")
    ws.expect_close(1002)
