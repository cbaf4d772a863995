"""Graceful shutdown on SIGTERM/SIGINT: every user gets close 1001, the process exits 0."""
import asyncio
import signal
import time

import pytest

from parley_client import RawWs, closed, http_request, join, recv, run

SHUTDOWN_MS = 3000
REASON = "Server is shutting down."


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_closes_every_client_with_1001_and_exits_0(start_server, signum):
    server = start_server("--threads", "2", "--shutdown-timeout-ms", str(SHUTDOWN_MS))

    async def scenario():
        clients = [await join(server, f"user{i}") for i in range(5)]
        for i, ws in enumerate(clients):  # everyone is in the room before the signal
            for j in range(i + 1, len(clients)):
                assert await recv(ws) == f"user{j} connected to chat"
        started = time.monotonic()
        exiting = asyncio.get_running_loop().run_in_executor(
            None, server.signal, signum, SHUTDOWN_MS / 1000 + 5)
        results = await asyncio.gather(*(closed(ws, timeout=SHUTDOWN_MS / 1000 + 2) for ws in clients))
        exit_code = await exiting
        elapsed = time.monotonic() - started
        for code, reason, _ in results:
            assert (code, reason) == (1001, REASON)
        assert exit_code == 0
        assert elapsed < SHUTDOWN_MS / 1000 + 2.5, f"took {elapsed:.2f}s to exit"  # slack for TSan
    run(scenario())


def test_sigterm_exits_within_the_shutdown_timeout_despite_an_unresponsive_client(start_server):
    server = start_server("--threads", "2", "--shutdown-timeout-ms", "1000")

    async def scenario():
        raw = await RawWs.join(server, "mute")  # will never answer the close frame
        started = time.monotonic()
        exiting = asyncio.get_running_loop().run_in_executor(None, server.terminate, 10)
        code, reason, _ = await raw.expect_close(timeout=3)
        assert (code, reason) == (1001, REASON)
        exit_code = await exiting
        elapsed = time.monotonic() - started
        assert exit_code == 0
        assert elapsed < 1.0 + 3.0, f"took {elapsed:.2f}s with a 1 s shutdown timeout"
        raw.close_tcp()
    run(scenario())


def test_sigterm_with_no_clients_exits_0_promptly(start_server):
    server = start_server("--threads", "2")
    started = time.monotonic()
    assert server.terminate(10) == 0
    assert time.monotonic() - started < 4.5  # below the 5 s shutdown timeout it must not wait for


def test_readyz_answers_503_draining_while_shutting_down(start_server):
    server = start_server("--threads", "2", "--shutdown-timeout-ms", "4000")

    async def scenario():
        raw = await RawWs.join(server, "mute")  # keeps the server draining: never answers
        assert http_request(server, "GET", "/readyz").status == 200
        loop = asyncio.get_running_loop()
        exiting = loop.run_in_executor(None, server.terminate, 10)
        code, _, _ = await raw.expect_close(timeout=3)
        assert code == 1001  # the shutdown has begun
        response = await loop.run_in_executor(None, http_request, server, "GET", "/readyz")
        assert response.status == 503
        assert b"draining" in response.body.lower()
        raw.close_tcp()
        assert await exiting == 0
    run(scenario())
