"""Autobahn section 1: framing. Text (1.1.x) and binary (1.2.x) echo at every length-encoding boundary."""
import pytest

from conftest import MAX_MESSAGE_SIZE
from rawws import BINARY, TEXT, binary_payload, build_frame, text_payload

# 0..125: 7-bit length; 126..65535: 16-bit; 65536..: 64-bit. The last one is exactly the limit.
LENGTHS = [0, 1, 125, 126, 127, 128, 65535, 65536, MAX_MESSAGE_SIZE]

# (length, chop size): 1-byte writes for small frames, coarser chops for big ones.
CHOPPED = [(0, 1), (1, 1), (125, 1), (126, 1), (200, 1), (65535, 997), (65536, 1024), (MAX_MESSAGE_SIZE, 65521)]


@pytest.mark.parametrize("length", LENGTHS)
def test_1_1_x_text_echo(ws, length):
    payload = text_payload(length)
    ws.send_frame(TEXT, payload)
    ws.expect_message(TEXT, payload)
    ws.send_close(1000)
    ws.expect_close(1000)


@pytest.mark.parametrize("length,chop", CHOPPED, ids=[f"{n}-chop{c}" for n, c in CHOPPED])
def test_1_1_x_text_echo_chopped(ws, length, chop):
    payload = text_payload(length)
    ws.send_frame(TEXT, payload, chop=chop)
    ws.expect_message(TEXT, payload)


@pytest.mark.parametrize("length", LENGTHS)
def test_1_2_x_binary_echo(ws, length):
    payload = binary_payload(length)
    ws.send_frame(BINARY, payload)
    ws.expect_message(BINARY, payload)
    ws.send_close(1000)
    ws.expect_close(1000)


@pytest.mark.parametrize("length,chop", CHOPPED, ids=[f"{n}-chop{c}" for n, c in CHOPPED])
def test_1_2_x_binary_echo_chopped(ws, length, chop):
    payload = binary_payload(length)
    ws.send_frame(BINARY, payload, chop=chop)
    ws.expect_message(BINARY, payload)


def test_1_3_1_two_messages_in_one_write(ws):
    """Two frames arriving in one TCP segment are both processed, in order."""
    ws.send_raw(build_frame(TEXT, "first") + build_frame(BINARY, b"\x00second\xff"))
    ws.expect_message(TEXT, "first")
    ws.expect_message(BINARY, b"\x00second\xff")


def test_1_3_2_frame_boundary_inside_a_write(ws):
    """Frames chopped so that every write straddles a frame boundary."""
    data = b"".join(build_frame(TEXT, text_payload(n)) for n in (3, 130, 0, 70000, 9))
    ws.send_raw(data, chop=1999)
    for n in (3, 130, 0, 70000, 9):
        ws.expect_message(TEXT, text_payload(n))


def test_1_3_3_all_zero_mask_key(ws):
    """A zero masking key is legal (the payload is then sent as is)."""
    ws.send_frame(TEXT, "zero key", mask_key=b"\x00\x00\x00\x00")
    ws.expect_message(TEXT, "zero key")
