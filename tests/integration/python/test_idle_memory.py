"""What an idle chat connection costs the server: 2,000 clients join (two million join
notices), the storm ends, the server hands the freed memory back, and its RSS growth per
connection stays small. bench/ measures the figure itself (idle-10000, target 1 KiB); this test
keeps its order of magnitude from regressing unnoticed.

The clients are raw sockets that read and count frames, so 2,000 of them keep up with the storm
in one Python thread."""
import asyncio
import base64
import os
import resource

import pytest

from metrics_scrape import scrape, value, wait_for_scrape
from parley_server import built_with_memory_checker

CLIENTS = 2000
# Per connection at 2,000 clients: about 0.6 KB is live (connection, session, member, the room's
# and the name registry's entries); the rest of the bound is room for the loop's fixed costs,
# which 2,000 connections share less well than bench's 10,000.
MAX_RSS_PER_CONNECTION = 1536
METRICS = ("--metrics-enabled", "--metrics-port", "0", "--metrics-bind", "127.0.0.1")
RELEASE_AFTER_BYTES = 1 << 20  # the storm is about 70 MB of notices
RELEASE = ("--memory-release-interval-ms", "100",
           "--memory-release-after-bytes", str(RELEASE_AFTER_BYTES))
RELEASES = "parley_memory_releases_total"
RELEASE_WAIT_S = 5.0  # 50 checks
TIMEOUT_S = 60.0

pytestmark = pytest.mark.skipif(
    built_with_memory_checker(), reason="ASan and TSan keep and shadow freed memory: RSS is theirs")


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def allow_descriptors(count):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < count:
        if hard != resource.RLIM_INFINITY and hard < count:
            pytest.skip(f"needs {count} file descriptors, the limit is {hard}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (count, hard))


class counting_client:
    """One chat user on a raw socket: upgrades, then counts the server's frames until told to
    stop. Server frames are unmasked and these are short (payload < 126 bytes: 2-byte header)."""

    def __init__(self, port, name):
        self.port = port
        self.name = name
        self.frames = 0
        self.writer = None

    async def open(self):
        reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        key = base64.b64encode(os.urandom(16)).decode()
        self.writer.write((f"GET /chat/{self.name} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                           "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                           f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
                          .encode())
        head = await reader.readuntil(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 101"), head
        return reader

    async def count(self, reader):
        pending = b""
        while True:
            data = await reader.read(65536)
            if not data:
                return
            pending += data
            at = 0
            while len(pending) - at >= 2:
                length = pending[at + 1] & 0x7F
                assert length < 126, "a notice longer than the test expects"
                if len(pending) - at < 2 + length:
                    break
                self.frames += 1
                at += 2 + length
            pending = pending[at:]

    def close(self):
        self.writer.close()


async def join_everyone(port, clients):
    """Joins in batches (the listen backlog is finite), then counts frames in the background."""
    readers = []
    for start in range(0, len(clients), 100):
        readers += await asyncio.gather(*(c.open() for c in clients[start:start + 100]))
    return [asyncio.create_task(c.count(r)) for c, r in zip(clients, readers)]


async def storm_then_measure(server):
    clients = [counting_client(server.port, f"idle{i}") for i in range(CLIENTS)]
    counting = await join_everyone(server.port, clients)
    expected = CLIENTS + CLIENTS * (CLIENTS - 1) // 2  # greetings, and each pair's join notice
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TIMEOUT_S
    while sum(c.frames for c in clients) < expected:
        assert loop.time() < deadline, (
            f"{sum(c.frames for c in clients)} of {expected} frames arrived")
        await asyncio.sleep(0.05)  # polling the clients' counters, not synchronising
    assert sum(c.frames for c in clients) == expected

    # Idle now: once the server has noticed the storm is over, it returns the freed memory. (A
    # quiet moment while the clients connected may have released already; then the next release
    # comes only if the rest of the storm was another RELEASE_AFTER_BYTES.)
    released = value(scrape(server), RELEASES)

    def released_since_the_storm():
        try:
            wait_for_scrape(server, lambda s: value(s, RELEASES) > released,
                            "a memory release after the join storm", timeout=RELEASE_WAIT_S)
        except AssertionError:
            if released == 0:
                raise

    await loop.run_in_executor(None, released_since_the_storm)
    after = rss_bytes(server.proc.pid)
    for client in clients:
        client.close()
    for task in counting:
        task.cancel()
    await asyncio.gather(*counting, return_exceptions=True)
    return after


def test_idle_connections_cost_little_memory_after_the_join_storm(start_server):
    allow_descriptors(CLIENTS + 256)
    # Every client is on 127.0.0.1: far more than limits.connections_per_ip allows one address.
    server = start_server("--threads", "1", "--log-level", "warn", *METRICS, *RELEASE,
                          "--limits-connections-per-ip", "0",
                          "--limits-accepts-per-second-per-ip", "0")
    before = rss_bytes(server.proc.pid)
    after = asyncio.run(storm_then_measure(server))
    per_connection = (after - before) / CLIENTS
    print(f"RSS {before} -> {after} bytes: {per_connection:.0f} bytes per idle connection")
    assert per_connection <= MAX_RSS_PER_CONNECTION
