"""GET /echo: echoes every message with the same opcode, only with --echo-endpoint."""
import websockets

import pytest

from parley_client import WAIT, recv, run


def test_echo_endpoint_echoes_text_and_binary_with_the_same_opcode(start_server):
    server = start_server("--threads", "2", "--echo-endpoint")

    async def scenario():
        async with websockets.connect(f"{server.url}/echo", compression=None,
                                      open_timeout=WAIT, close_timeout=WAIT) as ws:
            await ws.send("text ü")
            assert await recv(ws) == "text ü"
            await ws.send(b"\x00\xffbinary")
            assert await recv(ws) == b"\x00\xffbinary"
    run(scenario())


def test_echo_endpoint_is_404_without_the_flag(server):
    async def scenario():
        with pytest.raises(websockets.InvalidStatusCode) as info:
            await websockets.connect(f"{server.url}/echo", open_timeout=WAIT)
        assert info.value.status_code == 404
    run(scenario())
