"""permessage-deflate (ws.compression = on): Python's websockets (which offers it by default)
chats compressed beside a client that does not; each broadcast is compressed once however many
clients take it; a raw client checks the frames themselves (RSV1, raw DEFLATE) and the limits."""
import asyncio
import zlib

import websockets

from metrics_scrape import delta, scrape, wait_for_scrape, value
from parley_client import (
    OP_PING, OP_TEXT, RawWs, close_all, connect, greeting, joined, recv, run, said,
)

COMPRESSION = ("--ws-compression", "on")
METRICS = ("--metrics-enabled", "--metrics-port", "0", "--metrics-bind", "127.0.0.1")
LONG = "the quick brown fox jumps over the lazy dog; " * 20  # 900 bytes: over the 128-byte minimum
DEFLATE_OFFER = {"Sec-WebSocket-Extensions": "permessage-deflate; client_max_window_bits"}


def extensions_of(ws):
    return ws.response_headers.get("Sec-WebSocket-Extensions")


async def join_deflating(server, name):
    """A websockets client with its default compression (it offers permessage-deflate)."""
    ws = await connect(server, name, compression="deflate")
    assert await recv(ws) == greeting(name)
    return ws


def inflate(payload):
    return zlib.decompressobj(-15).decompress(payload + b"\x00\x00\xff\xff")


def deflate(data, level=9):
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    body = compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)
    assert body.endswith(b"\x00\x00\xff\xff")
    return body[:-4]


def test_offers_are_ignored_while_compression_is_off(start_server):
    server = start_server()

    async def scenario():
        ws = await join_deflating(server, "alice")
        assert extensions_of(ws) is None
        await close_all(ws)
    run(scenario())


def test_compressing_and_plain_clients_get_identical_messages(start_server):
    server = start_server(*COMPRESSION, *METRICS)

    async def scenario():
        alice = await join_deflating(server, "alice")
        bob = await connect(server, "bob")  # compression=None: offers nothing
        assert await recv(bob) == greeting("bob")
        assert extensions_of(alice) == "permessage-deflate; server_no_context_takeover"
        assert extensions_of(bob) is None
        assert await recv(alice) == joined("bob")
        before = scrape(server)

        await alice.send(LONG)  # websockets compresses it: the server inflates it
        for ws in (alice, bob):
            assert await recv(ws) == said("alice", LONG)
        await bob.send(LONG + "from bob")  # after alice's: two connections have no common order
        for ws in (alice, bob):
            assert await recv(ws) == said("bob", LONG + "from bob")
        await alice.send("short")
        for ws in (alice, bob):
            assert await recv(ws) == said("alice", "short")
        after = scrape(server)
        assert delta(before, after, "parley_ws_inflations_total") == 2  # alice's two messages
        assert delta(before, after, "parley_ws_compressions_total") == 2  # the two long ones
        assert delta(before, after, "parley_ws_compressions_skipped_total") == 1  # "short"
        assert delta(before, after, "parley_ws_compression_output_bytes_total") < \
            delta(before, after, "parley_ws_compression_input_bytes_total") / 5
        await close_all(alice, bob)
    run(scenario())


def test_a_broadcast_is_compressed_once_whatever_the_number_of_compressing_clients(start_server):
    server = start_server(*COMPRESSION, *METRICS, "--threads", "2")

    async def scenario():
        clients = [await join_deflating(server, f"user{i}") for i in range(5)]
        for ws in clients[:-1]:  # everyone has seen the last join: the joins are done
            while await recv(ws) != joined("user4"):
                pass
        before = scrape(server)
        for i in range(10):
            await clients[0].send(f"{i} {LONG}")
        for ws in clients:
            for i in range(10):
                assert await recv(ws) == said("user0", f"{i} {LONG}")
        after = scrape(server)
        assert delta(before, after, "parley_ws_compressions_total") == 10  # not 50
        assert delta(before, after, "parley_messages_delivered_total") == 50
        await close_all(*clients)
    run(scenario())


def test_long_broadcasts_arrive_as_raw_deflate_with_rsv1_and_short_ones_plain(start_server):
    server = start_server(*COMPRESSION)

    async def scenario():
        raw = await RawWs.open(server, "/chat/carol", headers=DEFLATE_OFFER)
        assert "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n" \
            in raw.response_head
        assert (await raw.recv_frame()).text == greeting("carol")
        for text in (LONG, "hi", LONG):
            await raw.send_frame(OP_TEXT, text)
            frame = await raw.recv_frame()
            assert frame.fin and frame.opcode == OP_TEXT
            if len(text) > 128:
                assert frame.rsv == 4, "a long message comes compressed"
                assert len(frame.payload) < len(text) / 5
                assert inflate(frame.payload).decode() == said("carol", text)
            else:
                assert frame.rsv == 0 and frame.text == said("carol", text)
        # The client's own compressed messages, whole and fragmented around a ping.
        await raw.send_frame(OP_TEXT, deflate(b"compressed " * 30), rsv=4)
        assert inflate((await raw.recv_frame()).payload).decode() == \
            said("carol", "compressed " * 30)
        body = deflate(("fragmented " * 30).encode())
        await raw.send_frame(OP_TEXT, body[:5], fin=False, rsv=4)
        await raw.send_frame(OP_PING, b"p")
        assert (await raw.recv_frame()).payload == b"p"
        await raw.send_frame(0x0, body[5:], fin=True)
        assert inflate((await raw.recv_frame()).payload).decode() == \
            said("carol", "fragmented " * 30)
        raw.abort()
    run(scenario())


def test_a_zip_bomb_closes_with_1009_and_bad_data_with_1007(start_server):
    server = start_server(*COMPRESSION, *METRICS)

    async def scenario():
        bomb = deflate(bytes(16 * 1024 * 1024))  # 16 MiB of zeros in about 16 KiB
        assert len(bomb) < 20 * 1024
        raw = await RawWs.open(server, "/chat/dave", headers=DEFLATE_OFFER)
        assert (await raw.recv_frame()).text == greeting("dave")
        await raw.send_frame(OP_TEXT, bomb, rsv=4)
        code, _, _ = await raw.expect_close()
        assert code == 1009

        raw = await RawWs.open(server, "/chat/erin", headers=DEFLATE_OFFER)
        assert (await raw.recv_frame()).text == greeting("erin")
        await raw.send_frame(OP_TEXT, b"\xff\xff\xff\xff", rsv=4)
        code, _, _ = await raw.expect_close()
        assert code == 1007
        samples = wait_for_scrape(
            server, lambda s: value(s, "parley_rejected_inputs_total", reason="ws_invalid_deflate")
            == 1, "the bad data counted")
        assert value(samples, "parley_rejected_inputs_total", reason="ws_message_too_big") == 1
    run(scenario())


def test_rsv1_from_a_client_that_did_not_negotiate_closes_with_1002(start_server):
    server = start_server(*COMPRESSION)

    async def scenario():
        raw = await RawWs.open(server, "/chat/frank")  # no offer
        assert "Sec-WebSocket-Extensions" not in raw.response_head
        assert (await raw.recv_frame()).text == greeting("frank")
        await raw.send_frame(OP_TEXT, deflate(b"hello"), rsv=4)
        code, _, _ = await raw.expect_close()
        assert code == 1002
    run(scenario())


def test_client_no_context_takeover_is_honoured(start_server):
    server = start_server(*COMPRESSION)

    async def scenario():
        ws = await connect(server, "gina", compression=None, extensions=[
            websockets.extensions.permessage_deflate.ClientPerMessageDeflateFactory(
                client_no_context_takeover=True, client_max_window_bits=10)])
        assert await recv(ws) == greeting("gina")
        assert extensions_of(ws) == ("permessage-deflate; server_no_context_takeover; "
                                     "client_no_context_takeover; client_max_window_bits=10")
        for i in range(3):
            await ws.send(f"{i} {LONG}")
            assert await recv(ws) == said("gina", f"{i} {LONG}")
        await close_all(ws)
    run(scenario())
