"""log.access: one parley.access line per WebSocket upgrade and per close."""
import asyncio
import re

from parley_client import OP_CLOSE, RawWs, http_request, join, recv, run

UPGRADE = re.compile(r"INFO  \[parley\.access\] - upgrade remote=127\.0\.0\.1:(\d+) "
                     r"path=(\S+) status=(\d+)$")
CLOSE = re.compile(r"INFO  \[parley\.access\] - close remote=127\.0\.0\.1:(\d+) path=(\S+) "
                   r"code=(\d+) by=(\w+) duration_ms=(\d+)$")


def access_lines(server, pattern):
    return [m.groups() for m in map(pattern.search, server.lines) if m]


def test_upgrade_and_client_close_are_logged(server):
    async def scenario():
        alice = await join(server, "alice", age=30)
        local_port = alice.transport.get_extra_info("sockname")[1]
        await alice.close(1000)
        return local_port
    port = run(scenario())
    assert server.wait_for_line(CLOSE, 5)
    assert (str(port), "/chat/alice", "101") in access_lines(server, UPGRADE)
    closes = access_lines(server, CLOSE)
    assert [c[:4] for c in closes] == [(str(port), "/chat/alice", "1000", "client")]


def test_refused_upgrade_is_logged_with_its_status(server):
    assert http_request(server, "GET", "/chat/bob").status == 426  # no Upgrade header
    assert server.wait_for_line(UPGRADE, 5)
    assert [u[1:] for u in access_lines(server, UPGRADE)] == [("/chat/bob", "426")]
    assert access_lines(server, CLOSE) == []  # no WebSocket, no close line


def test_other_methods_on_a_websocket_path_are_logged_as_refused(server):
    # The other path first: its line, if it had one, would come before carol's.
    assert http_request(server, "DELETE", "/index.html").status == 405  # not a WebSocket path
    assert http_request(server, "POST", "/chat/carol").status == 405
    assert server.wait_for_line(UPGRADE, 5)
    assert [u[1:] for u in access_lines(server, UPGRADE)] == [("/chat/carol", "405")]


def test_close_without_a_close_frame_is_1006_by_none(server):
    async def scenario():
        raw = await RawWs.join(server, "carol")
        raw.abort()
    run(scenario())
    assert server.wait_for_line(CLOSE, 5)
    assert [c[1:4] for c in access_lines(server, CLOSE)] == [("/chat/carol", "1006", "none")]


def test_close_without_a_code_is_1005(server):
    async def scenario():
        raw = await RawWs.join(server, "dave")
        await raw.send_frame(OP_CLOSE, b"")
        await raw.expect_close()
        raw.close_tcp()
    run(scenario())
    assert server.wait_for_line(CLOSE, 5)
    assert [c[1:4] for c in access_lines(server, CLOSE)] == [("/chat/dave", "1005", "client")]


def test_shutdown_close_is_1001_by_server(start_server):
    server = start_server("--threads", "2", "--shutdown-timeout-ms", "3000")

    async def scenario():
        erin = await join(server, "erin")
        exiting = asyncio.get_running_loop().run_in_executor(None, server.terminate, 10)
        try:
            while True:
                await recv(erin)
        except Exception:
            pass
        assert await exiting == 0
    run(scenario())
    assert [c[1:4] for c in access_lines(server, CLOSE)] == [("/chat/erin", "1001", "server")]


def test_log_access_false_turns_the_lines_off(start_server):
    server = start_server("--log-access=false")

    async def scenario():
        frank = await join(server, "frank")
        await frank.send("hi")
        await recv(frank)
        await frank.close()
    run(scenario())
    assert server.wait_for_line(r"\[parley\.chat\] - frank left the chat", 5)
    assert server.terminate() == 0
    assert not [line for line in server.lines if "[parley.access]" in line]
