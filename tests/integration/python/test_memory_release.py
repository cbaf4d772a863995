"""Returning freed memory to the system once a burst is over (memory.release_interval_ms,
memory.release_after_bytes): counted in parley_memory_releases_total, after a burst and not
before, once per burst, never when turned off."""
import asyncio
import re
import socket
import time

import pytest

from metrics_scrape import scrape, value, wait_for_scrape
from parley_client import OP_PING, WAIT, close_all, encode_frame, join, receive_until, recv, run, said
from parley_server import built_with_memory_checker

METRICS = ("--metrics-enabled", "--metrics-port", "0", "--metrics-bind", "127.0.0.1")
INTERVAL_S = 0.1
AFTER_BYTES = 65536
RELEASE = ("--memory-release-interval-ms", str(int(INTERVAL_S * 1000)),
           "--memory-release-after-bytes", str(AFTER_BYTES))
RELEASES = "parley_memory_releases_total"
RELEASE_LINE = re.compile(
    r"returned memory to the system: RSS (\d+\.\d) MiB -> (\d+\.\d) MiB in \d+\.\d ms")
BYTES_PER_CLOSE = 4096  # what the server counts for each connection that ends
SLOW = 15.0  # seconds: a sanitizer build under load is slow


def releases_while(server, seconds):
    """Every value of the counter scraped until `seconds` have passed (measured from now): for
    checking that nothing happens in a time in which it would have."""
    deadline = time.monotonic() + seconds
    seen = [value(scrape(server), RELEASES)]
    while time.monotonic() < deadline:
        time.sleep(INTERVAL_S / 4)  # polling the metrics endpoint, not synchronising
        seen.append(value(scrape(server), RELEASES))
    return seen


def settled_releases(server, quiet_s=5 * INTERVAL_S):
    """The counter once it has not moved for `quiet_s` (many checks, measured)."""
    deadline = time.monotonic() + SLOW
    last, since = value(scrape(server), RELEASES), time.monotonic()
    while time.monotonic() - since < quiet_s:
        assert time.monotonic() < deadline, "the release count never settled"
        time.sleep(INTERVAL_S / 4)  # polling the metrics endpoint, not synchronising
        now = value(scrape(server), RELEASES)
        if now != last:
            last, since = now, time.monotonic()
    return last


def activity(samples):
    """What the server counts towards a burst: bytes both ways, plus a weight per ended
    connection."""
    ended = (value(samples, "parley_connections_total", outcome="http")
             + value(samples, "parley_connections_total", outcome="websocket"))
    return (value(samples, "parley_bytes_received_total")
            + value(samples, "parley_bytes_sent_total") + BYTES_PER_CLOSE * ended)


async def burst(server, clients, message):
    """Joins `clients` users at once; each sends `message` and reads everyone's before all close."""
    sockets = await asyncio.gather(*(join(server, f"user{i}") for i in range(clients)))
    await asyncio.gather(*(ws.send(message) for ws in sockets))

    async def read_all(ws):
        wanted = {said(f"user{i}", message) for i in range(clients)}
        while wanted:
            wanted.discard(await recv(ws))  # join notices pass by

    await asyncio.gather(*(read_all(ws) for ws in sockets))
    await close_all(*sockets)


def burst_and_wait_until_over(server, clients, message):
    run(burst(server, clients, message))
    return wait_for_scrape(server, lambda s: value(s, "parley_connections_open") == 0,
                           "every connection to end", timeout=SLOW)


def test_a_burst_followed_by_quiet_returns_memory(start_server):
    # 100 clients on 127.0.0.1 at once: as many as limits.connections_per_ip allows, so no limit.
    server = start_server("--threads", "2", "--log-level", "debug", *METRICS, *RELEASE,
                          "--limits-connections-per-ip", "0",
                          "--limits-accepts-per-second-per-ip", "0")
    # The checks start before the server says it listens: these scrapes span at least 3 of them,
    # with no traffic, so no release.
    assert set(releases_while(server, 3 * INTERVAL_S)) == {0}

    over = burst_and_wait_until_over(server, 100, "x" * 1024)
    assert value(over, "parley_bytes_received_total") > AFTER_BYTES  # the messages alone
    wait_for_scrape(server, lambda s: value(s, RELEASES) >= 1, "a release after the burst",
                    timeout=SLOW)
    # Then quiet: the count settles (more than one is possible only if the burst itself paused
    # for a whole interval on a loaded machine; test_each_burst_is_released_once pins that down).
    released = settled_releases(server)
    assert released >= 1

    match = server.wait_for_line(RELEASE_LINE, SLOW)
    assert match, "no debug line for the release"
    assert len([line for line in server.lines if RELEASE_LINE.search(line)]) == released
    before, after = float(match.group(1)), float(match.group(2))
    assert before > 0 and after > 0, match.group(0)  # read from /proc/self/statm
    if not built_with_memory_checker():  # ASan and TSan keep freed memory themselves
        # A trim only gives back; the slack is for the metrics thread allocating meanwhile.
        assert after <= before + 1.0, match.group(0)


def test_each_burst_is_released_once(start_server):
    """Bursts of between 1 and 1.5 times memory.release_after_bytes: a second release within one
    would need another full after_bytes, so exactly one each, even on a loaded machine."""
    server = start_server("--threads", "2", *METRICS, *RELEASE)
    start = activity(scrape(server))
    for n in (1, 2):
        over = burst_and_wait_until_over(server, 10, "y" * 300)
        size = activity(over) - start
        assert AFTER_BYTES <= size < 1.5 * AFTER_BYTES, f"burst {n} was {size} bytes"
        start = activity(over)
        wait_for_scrape(server, lambda s: value(s, RELEASES) >= n, f"release {n}", timeout=SLOW)
        assert settled_releases(server) == n
    assert server.terminate() == 0  # with its check pending on loop 0


def test_interval_0_turns_the_release_off(start_server):
    server = start_server("--threads", "2", "--log-level", "debug", *METRICS,
                          "--memory-release-interval-ms", "0", "--memory-release-after-bytes", "1")
    burst_and_wait_until_over(server, 20, "z" * 100)
    # Long enough for several checks at the interval the other tests use, had there been any.
    assert set(releases_while(server, 5 * INTERVAL_S)) == {0}
    assert not any(RELEASE_LINE.search(line) for line in server.lines)


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def wait_for_rss(server, predicate, what, timeout=SLOW):
    """Polls the server's RSS (an outside fact) until predicate(kib) holds; returns it."""
    deadline = time.monotonic() + timeout
    while not predicate(kib := rss_kib(server.proc.pid)):
        assert time.monotonic() < deadline, f"timed out waiting for {what}: RSS {kib} KiB"
        time.sleep(0.05)
    return kib


def ping_flood(port, name, pings):
    """A client in a room of its own that sends `pings` pings and reads nothing: the server holds
    every pong for it (under the hard limit). Returns the socket, still open."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=SLOW)  # a busy server reads slowly
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.sendall(
        (f"GET /chat/{name}?room=flood HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
         "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
         "Sec-WebSocket-Version: 13\r\n\r\n").encode())
    sock.sendall(encode_frame(OP_PING, b"p" * 100) * pings)
    return sock


@pytest.mark.skipif(built_with_memory_checker(),
                    reason="ASan and TSan keep and shadow freed memory: RSS is theirs")
def test_memory_follows_flood_clients_out_while_the_chat_goes_on(start_server):
    """Flood clients come (each leaving some 14 MB of pongs unread) and go while two users chat on,
    never quiet for a check. Their queued output, freed unsent when they go, releases memory, and the
    RSS falls back to within 2x the steady chat's own with the chat still running (once it stayed
    up until the chat stopped; then, in one run in four, at 3x: the loops' own malloc arenas kept
    their free tops, which malloc_trim does not return, until memory.malloc_arenas = 1)."""
    after_bytes = 1 << 20  # a check is quiet below 64 KiB/s; the chat does about 0.7 MB/s
    server = start_server("--threads", "2", *METRICS, "--memory-release-interval-ms", "1000",
                          "--memory-release-after-bytes", str(after_bytes),
                          "--slow-consumer-grace-ms", "600000",
                          "--limits-messages-per-second", "0")  # alice chats faster than a person

    async def scenario():
        alice, bob = await join(server, "alice"), await join(server, "bob")
        await recv(alice)  # bob's join
        stop = asyncio.Event()
        said_count = [0]

        async def chat():
            while not stop.is_set():
                said_count[0] += 1
                text = f"{said_count[0]}:" + "c" * 4096
                await alice.send(text)
                await receive_until(alice, said("alice", text))
                await receive_until(bob, said("alice", text))
                await asyncio.sleep(0.005)  # sets the chat's rate; nothing waits on this

        chatting = asyncio.create_task(chat())
        # The steady chat's own RSS, once it has run for a few checks.
        await asyncio.to_thread(wait_for_scrape, server,
                                lambda s: value(s, "parley_bytes_sent_total") > after_bytes // 2,
                                "the chat to warm up", SLOW)
        steady = rss_kib(server.proc.pid)

        flood = await asyncio.gather(
            *(asyncio.to_thread(ping_flood, server.port, f"flood{i}", 70_000) for i in range(8)))
        peak = await asyncio.to_thread(wait_for_rss, server, lambda kib: kib > 3 * steady,
                                       "the flood to grow the server")
        for sock in flood:
            sock.close()
        gone = await asyncio.to_thread(wait_for_scrape, server,
                                       lambda s: value(s, "parley_connections_open") == 2,
                                       "the flood clients to be gone", SLOW)
        # Each left megabytes of pongs queued (how many depends on how far the server had read).
        assert value(gone, "parley_output_dropped_bytes_total") > 16 * after_bytes
        said_when_gone = said_count[0]
        # A trim of a fragmented 100 MB heap took from 10 ms to 0.7 s here (madvise per free
        # chunk); on a loaded machine, longer: the wait is generous, passing costs 1-2 s.
        after = await asyncio.to_thread(wait_for_rss, server, lambda kib: kib <= 2 * steady,
                                        f"RSS back within 2x the chat's {steady} KiB (peak {peak})",
                                        2 * SLOW)
        print(f"RSS: chat {steady} KiB, flood peak {peak} KiB, after {after} KiB; "
              f"{said_count[0]} messages said; releases {value(scrape(server), RELEASES)}")
        assert not chatting.done(), chatting  # the chat never stopped (nor failed)
        await asyncio.to_thread(
            wait_for_scrape, server, lambda s: value(s, "parley_messages_received_total")
            > said_when_gone, "the chat to go on")
        stop.set()
        await asyncio.wait_for(chatting, WAIT)
        await close_all(alice, bob)

    run(scenario())
