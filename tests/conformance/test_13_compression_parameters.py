"""Autobahn section 13 shapes: permessage-deflate offers with client_no_context_takeover and
client_max_window_bits (8, 9, 15 and none), one and several offers; each accepted as answered
and then used for messages of several sizes. Plus what must fail: RSV1 where RFC 7692 forbids
it (1002), data that does not inflate (1007), a message that inflates past the limit (1009),
and offers the server must decline."""
import pytest

from conftest import MAX_MESSAGE_SIZE
from deflate_peer import TEXT, Compressor, open_deflate, payload, send_compressed
from rawws import CONT, PING, RSV1, WSClient, build_frame

SIZES = [64, 1024, 16384, 131072]

# (offer, expected answer, client window bits, client keeps its context)
OFFERS = {
    "13.1-default": ("permessage-deflate",
                     "permessage-deflate; server_no_context_takeover", 15, True),
    "13.2-client-no-context-takeover": (
        "permessage-deflate; client_no_context_takeover",
        "permessage-deflate; server_no_context_takeover; client_no_context_takeover", 15, False),
    "13.3-window-8": ("permessage-deflate; client_max_window_bits=8",
                      "permessage-deflate; server_no_context_takeover; client_max_window_bits=8",
                      8, True),
    "13.4-window-15": ("permessage-deflate; client_max_window_bits=15",
                       "permessage-deflate; server_no_context_takeover; client_max_window_bits=15",
                       15, True),
    "13.5-no-context-window-9": (
        "permessage-deflate; client_no_context_takeover; client_max_window_bits=9",
        "permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
        "client_max_window_bits=9", 9, False),
    "13.6-no-context-window-15": (
        "permessage-deflate; client_no_context_takeover; client_max_window_bits=15",
        "permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
        "client_max_window_bits=15", 15, False),
    "13.7-several-offers": (
        "permessage-deflate; server_max_window_bits=9, "
        "permessage-deflate; client_no_context_takeover; client_max_window_bits=10, "
        "permessage-deflate",
        "permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
        "client_max_window_bits=10", 10, False),
    "13.x-server-no-context-takeover-asked": (
        "permessage-deflate; server_no_context_takeover; server_max_window_bits=15",
        "permessage-deflate; server_no_context_takeover; server_max_window_bits=15", 15, True),
}


@pytest.mark.parametrize("case", list(OFFERS))
def test_13_x_offer_accepted_and_used(server, case):
    offer, answer, bits, takeover = OFFERS[case]
    client = open_deflate(server.port, offer)
    try:
        assert client.extensions == answer
        compressor = Compressor(bits, takeover)
        for size in SIZES:
            for seed in range(3):
                data = payload("text" if seed % 2 == 0 else "json", size, seed)
                send_compressed(client, TEXT, data, compressor)
                client.expect_message(TEXT, data)
        client.send_close(1000)
        client.expect_close(1000)
    finally:
        client.close()


@pytest.mark.parametrize("offer", [
    "permessage-deflate; server_max_window_bits=10",
    "permessage-deflate; client_max_window_bits=16",
    "permessage-deflate; mystery",
    "permessage-deflate; client_no_context_takeover; client_no_context_takeover",
    'permessage-deflate; client_max_window_bits="1 0"',
    "x-webkit-deflate-frame",
    "permessage-deflate; client_max_window_bits=10; ; ",
])
def test_13_x_offer_declined(server, offer):
    client = WSClient(server.port, extensions=offer)
    try:
        assert client.extensions is None
        client.send_text("still fine")
        client.expect_message(TEXT, "still fine")
    finally:
        client.close()


def test_13_x_quoted_parameter_values_are_read(server):
    client = open_deflate(server.port, 'permessage-deflate; client_max_window_bits="12"')
    try:
        assert client.extensions.endswith("client_max_window_bits=12")
    finally:
        client.close()


def test_rsv1_on_a_continuation_frame_closes_1002(server):
    client = open_deflate(server.port)
    try:
        body = Compressor().compress(b"x" * 200)
        client.send_raw(build_frame(TEXT, body[:3], fin=False, rsv=RSV1)
                        + build_frame(CONT, body[3:], fin=True, rsv=RSV1))
        client.expect_close(1002)
    finally:
        client.close()


def test_rsv1_on_a_ping_closes_1002(server):
    client = open_deflate(server.port)
    try:
        client.send_raw(build_frame(PING, b"", rsv=RSV1))
        client.expect_close(1002)
    finally:
        client.close()


def test_data_that_does_not_inflate_closes_1007(server):
    client = open_deflate(server.port)
    try:
        client.send_raw(build_frame(TEXT, b"\xff\xfe\xfd\xfc", rsv=RSV1))
        client.expect_close(1007)
    finally:
        client.close()


def test_invalid_utf8_inside_compressed_text_closes_1007(server):
    client = open_deflate(server.port)
    try:
        send_compressed(client, TEXT, b"ok \xce\xba\xe1\xbd\xb9\xcf\x83 then \xed\xa0\x80 bad",
                        Compressor())
        client.expect_close(1007)
    finally:
        client.close()


def test_a_message_inflating_past_the_limit_closes_1009(server):
    client = open_deflate(server.port)
    try:
        bomb = Compressor().compress(bytes(8 * MAX_MESSAGE_SIZE))  # 8 MiB of zeros, ~8 KiB sent
        assert len(bomb) < MAX_MESSAGE_SIZE // 64
        client.send_raw(build_frame(TEXT, bomb, rsv=RSV1))
        client.expect_close(1009)
    finally:
        client.close()
