"""Autobahn section 2: pings and pongs."""
import pytest

from rawws import PING, PONG, TEXT, binary_payload, build_frame, text_payload


@pytest.mark.parametrize(
    "payload",
    [b"", b"Hello, world!", bytes([0x00, 0xFF, 0xFE, 0xFD, 0xFC, 0xFB, 0x00, 0xFF]), binary_payload(125), text_payload(125)],
    ids=["empty", "text", "binary", "binary-125", "text-125"],
)
def test_2_1_x_ping_pong(ws, payload):
    ws.send_frame(PING, payload)
    ws.expect_pong(payload)


def test_2_5_1_ping_126_bytes(ws):
    """A control frame payload over 125 bytes is a protocol error; no pong."""
    ws.send_frame(PING, text_payload(126))
    ws.expect_close(1002)


def test_2_5_2_ping_126_bytes_after_echo(ws):
    ws.send_raw(build_frame(TEXT, "before") + build_frame(PING, text_payload(126)) + build_frame(TEXT, "after"))
    ws.expect_message(TEXT, "before")
    ws.expect_close(1002)


def test_2_6_1_ping_125_bytes_chopped(ws):
    payload = binary_payload(125)
    ws.send_frame(PING, payload, chop=1)
    ws.expect_pong(payload)


@pytest.mark.parametrize("payload", [b"", b"unsolicited pong payload"], ids=["empty", "payload"])
def test_2_7_x_unsolicited_pong_ignored(ws, payload):
    ws.send_frame(PONG, payload)
    ws.send_frame(TEXT, "still here")
    ws.expect_message(TEXT, "still here")


def test_2_9_1_unsolicited_pong_then_ping(ws):
    ws.send_raw(build_frame(PONG, b"unsolicited") + build_frame(PING, b"solicited"))
    ws.expect_pong(b"solicited")
    ws.send_frame(TEXT, "done")
    ws.expect_message(TEXT, "done")


@pytest.mark.parametrize("chop", [None, 1], ids=["one-write", "chop1"])
def test_2_10_x_ten_pings_in_a_row(ws, chop):
    payloads = [f"ping {i}".encode() for i in range(10)]
    ws.send_raw(b"".join(build_frame(PING, p) for p in payloads), chop=chop)
    for p in payloads:
        ws.expect_pong(p)
    ws.send_frame(TEXT, "after pings")
    ws.expect_message(TEXT, "after pings")
