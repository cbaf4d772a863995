"""A quiet WebSocket is pinged; one that answers nothing for two intervals is dropped (its name
freed and its leave announced), one that answers stays."""
from parley_client import OP_PING, OP_PONG, RawWs, close_all, join, left, recv, run, said

DROP_INTERVAL_MS = 500  # short: the test waits for two of them
STAY_INTERVAL_MS = 1000  # each pong must be read within it, also by a TSan build


def test_peer_that_never_answers_pings_is_dropped_and_its_name_freed(start_server):
    server = start_server("--threads", "2", "--ping-interval-ms", str(DROP_INTERVAL_MS))

    async def scenario():
        watcher = await join(server, "watcher")  # a websockets client answers pings by itself
        ghost = await RawWs.join(server, "ghost")
        assert await recv(watcher) == "ghost connected to chat"
        frame = await ghost.recv_frame(timeout=10)
        assert (frame.opcode, frame.payload) == (OP_PING, b"")
        # No pong: the server drops the connection, and the room hears that ghost left.
        await ghost.expect_eof(timeout=10)
        assert await recv(watcher, timeout=5) == left("ghost")
        again = await join(server, "ghost")
        await close_all(watcher, again)

    run(scenario())
    assert server.wait_for_line(r"closing a connection that answered no ping", 5)


def test_peer_that_answers_pings_stays_connected(start_server):
    server = start_server("--threads", "2", "--ping-interval-ms", str(STAY_INTERVAL_MS))

    async def scenario():
        quiet = await RawWs.join(server, "quiet")
        for _ in range(3):  # several intervals, each answered only with a pong
            frame = await quiet.recv_frame(timeout=5)
            assert frame.opcode == OP_PING
            await quiet.send_frame(OP_PONG, frame.payload)
        await quiet.send_frame(0x1, b"still here")
        frame = await quiet.recv_frame(timeout=5)
        while frame.opcode == OP_PING:  # a ping may cross our message
            await quiet.send_frame(OP_PONG, frame.payload)
            frame = await quiet.recv_frame(timeout=5)
        assert frame.payload.decode() == said("quiet", "still here")
        quiet.close_tcp()

    run(scenario())
