"""A client that stops reading is closed (1008) once its unsent output passes --max-queued-bytes, or
stays above --soft-queued-bytes for --slow-consumer-grace-ms; the room and everyone else in it
carry on and miss nothing, and the server's memory stays bounded."""
import asyncio
import socket
import subprocess
import time

from metrics_scrape import value, wait_for_scrape
from parley_server import built_with_memory_checker
from parley_client import (
    NO_RATE_LIMIT, OP_CLOSE, OP_PING, WAIT, close_all, close_payload, encode_frame, greeting,
    http_request, join, joined, left, receive_until, recv, run, said, sync, wait_for_eof,
)

CAP = 256 * 1024
MESSAGE = "x" * 32 * 1024
MAX_MESSAGES = 1000  # 32 MiB at most: far past the cap plus every kernel buffer on loopback
METRICS = ("--metrics-enabled", "--metrics-port", "0", "--metrics-bind", "127.0.0.1")


def open_silent_client(port, name):
    """Upgrades a raw socket with a tiny receive buffer, reads the 101 and then never reads again."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(WAIT)
    sock.connect(("127.0.0.1", port))
    sock.sendall(
        (
            f"GET /chat/{name} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(1)
        assert chunk, "server closed during the handshake"
        head += chunk
    assert head.startswith(b"HTTP/1.1 101")
    return sock


def memory_kib(pid, field):
    """VmRSS (now) or VmHWM (peak) of a process, in KiB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError(f"no {field} for pid {pid}")


class FrameReader:
    """Reads the server's (unmasked) frames off a raw, blocking socket."""

    def __init__(self, sock):
        self.sock = sock
        self.buffer = b""

    def _need(self, count):
        while len(self.buffer) < count:
            chunk = self.sock.recv(65536)
            assert chunk, "connection ended without a close frame"
            self.buffer += chunk

    def next(self):
        """Returns (opcode, payload) of the next frame."""
        self._need(2)
        opcode, length = self.buffer[0] & 0x0F, self.buffer[1] & 0x7F
        offset = 2
        if length == 126:
            self._need(4)
            length, offset = int.from_bytes(self.buffer[2:4], "big"), 4
        elif length == 127:
            self._need(10)
            length, offset = int.from_bytes(self.buffer[2:10], "big"), 10
        self._need(offset + length)
        payload = self.buffer[offset : offset + length]
        self.buffer = self.buffer[offset + length :]
        return opcode, payload


def read_close_frame(sock):
    """Skips data frames until the close frame; returns its (code, reason)."""
    reader = FrameReader(sock)
    while True:
        opcode, payload = reader.next()
        if opcode == 0x8:
            return int.from_bytes(payload[:2], "big"), payload[2:].decode()


def chat_past_a_silent_client(server, memory_bound_kib, pause=0.0):
    """Alice chats while a client that never reads is in the room; returns once the server has
    closed the silent client. Checks that bob (a reader) got every message, in order, that the
    server's memory stayed bounded, and that the silent client is told why once it reads again."""

    async def scenario():
        bob = await join(server, "bob")
        silent = open_silent_client(server.port, "silent")
        assert await recv(bob) == "silent connected to chat"
        alice = await join(server, "alice")
        assert await recv(bob) == "alice connected to chat"
        rss_before = memory_kib(server.proc.pid, "VmRSS")

        sent = 0
        received = []
        dropped = asyncio.Event()

        async def read_bob():
            while True:
                message = await recv(bob)
                if message == left("silent"):
                    dropped.set()
                else:
                    received.append(message)
                if dropped.is_set() and len(received) == sent:
                    return

        reader = asyncio.create_task(read_bob())
        alice_missed = []
        while not dropped.is_set() and sent < MAX_MESSAGES:
            sent += 1
            await alice.send(f"{sent}:{MESSAGE}")
            # Alice paces herself by her own echo (so only the silent client falls behind).
            alice_missed += await receive_until(alice, said("alice", f"{sent}:{MESSAGE}"))
            if pause:
                await asyncio.sleep(pause)  # sets alice's rate; nothing waits on this
        assert dropped.is_set(), f"silent client still connected after {sent} messages"
        print(f"silent client closed after {sent} messages")
        await asyncio.wait_for(reader, WAIT)
        assert received == [said("alice", f"{i}:{MESSAGE}") for i in range(1, sent + 1)]

        # What the server held for the silent client stayed bounded, whatever was sent.
        growth_kib = memory_kib(server.proc.pid, "VmHWM") - rss_before
        if not built_with_memory_checker():
            assert growth_kib < memory_bound_kib, f"server memory grew by {growth_kib} KiB"

        # The room still works for everyone else, and alice saw only the leave notice besides.
        assert alice_missed + await sync(alice, "alice") == [left("silent")]
        assert await sync(bob, "bob") == [said("alice", "sync-marker")]

        # Reading again, the silent client finds the close frame after what was already in flight.
        code, reason = await asyncio.to_thread(read_close_frame, silent)
        assert (code, reason) == (1008, "Too slow: too much output left unread.")
        silent.close()
        await close_all(alice, bob)
        return sent

    return run(scenario())


def test_client_over_the_hard_limit_is_closed_and_the_room_misses_nothing(start_server):
    server = start_server(*NO_RATE_LIMIT, "--threads", "2", "--max-queued-bytes", str(CAP),
                          "--soft-queued-bytes", str(CAP), "--slow-consumer-grace-ms", "600000",
                          "--metrics-enabled", "--metrics-port", "0", "--metrics-bind", "127.0.0.1")
    # Up to 32 MiB goes out; the server holds at most the cap (plus its own working set).
    chat_past_a_silent_client(server, memory_bound_kib=8 * 1024)
    # The close is counted when the session ends: once the silent client's TCP close arrives.
    samples = wait_for_scrape(
        server, lambda s: value(s, "parley_websocket_closes_total", code="1008") == 1,
        "the 1008 close to be counted")
    assert value(samples, "parley_slow_consumer_closes_total") == 1
    assert server.wait_for_line(r"WARN .*slow consumer: \d+ bytes left unread; closing it", WAIT)


def test_client_over_the_soft_limit_for_the_grace_period_is_closed(start_server):
    """Under the hard limit, but above the soft one for longer than the grace period: closed too."""
    hard = 64 << 20  # out of reach: the grace period must be what closes it
    server = start_server(*NO_RATE_LIMIT, "--threads", "2", "--max-queued-bytes", str(hard),
                          "--soft-queued-bytes", str(CAP), "--slow-consumer-grace-ms", "300")
    # Within the grace period the queue may grow towards the hard limit, never past it.
    # At about 6 MB/s the grace period, not the hard limit, is what ends it.
    chat_past_a_silent_client(server, memory_bound_kib=(hard >> 10) + 8 * 1024, pause=0.005)
    assert server.wait_for_line(
        r"WARN .*slow consumer: \d+ bytes left unread for the whole grace period; closing it", WAIT)


def test_a_burst_within_the_grace_period_is_forgiven(start_server):
    """A client that falls far behind (beyond the soft limit, under the hard one) but catches up
    within the grace period stays connected and receives everything."""
    server = start_server(*NO_RATE_LIMIT, "--threads", "2", "--soft-queued-bytes", str(CAP),
                          "--slow-consumer-grace-ms", "600000")
    burst = [f"{i}:{MESSAGE}" for i in range(256)]  # 8 MiB: more than every kernel buffer

    async def scenario():
        slow = open_silent_client(server.port, "slow")
        alice = await join(server, "alice")
        for text in burst:
            await alice.send(text)
            await receive_until(alice, said("alice", text))
        await alice.send("done")
        await receive_until(alice, said("alice", "done"))

        def read_everything():
            reader = FrameReader(slow)
            texts = []
            while not texts or texts[-1] != said("alice", "done"):
                opcode, payload = reader.next()
                assert opcode == 0x1, f"unexpected frame {opcode}: {payload[:80]!r}"
                texts.append(payload.decode())
            return texts

        texts = await asyncio.to_thread(read_everything)
        assert texts == [greeting("slow"), joined("alice")] + [said("alice", t) for t in burst] + [
            said("alice", "done")
        ]
        slow.close()
        assert await recv(alice) == left("slow")
        await close_all(alice)

    run(scenario())
    assert not any("slow consumer" in line for line in server.lines)


def server_side_connections(server_port, client_port):
    """Established TCP connections between the server's port and one client port, per `ss`."""
    out = subprocess.run(
        ["ss", "-Htn", "state", "established", f"( sport = :{server_port} and dport = :{client_port} )"],
        capture_output=True, text=True, check=True,
    ).stdout
    return [line for line in out.splitlines() if line.strip()]


def wait_until(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out after {timeout} s waiting for {what}"
        time.sleep(0.1)  # polling an external fact (ss), not synchronising with the server


def test_pipelined_requests_over_the_output_cap_drop_only_that_connection(start_server):
    """One read holding many pipelined requests pushes the connection over its output cap while the
    HTTP handler is still parsing that read: the connection is dropped, nothing more is parsed, and
    the server stays healthy (under ASan this catches any use of the freed input buffer)."""
    server = start_server("--threads", "2", "--max-queued-bytes", "4096")
    request = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
    with socket.create_connection(("127.0.0.1", server.port), timeout=WAIT) as sock:
        sock.sendall(request[:10])  # a partial head first, so the rest is parsed from the leftover
        sock.sendall(request[10:] + request * 2000)
        assert server.wait_for_line(r"slow consumer: \d+ bytes left unread; closing it", WAIT)
    response = http_request(server, "GET", "/healthz")
    assert (response.status, response.body) == (200, b"ok\n")


def test_closing_connection_that_never_reads_its_output_is_dropped_after_a_deadline(start_server):
    """A client that stops reading, then sends a close frame: its output can never be flushed, so
    the server must not keep the connection (and its queued output) waiting for ever."""
    server = start_server(*NO_RATE_LIMIT, "--threads", "2")

    async def scenario():
        silent = open_silent_client(server.port, "silent")
        client_port = silent.getsockname()[1]
        alice = await join(server, "alice")
        # Fill every buffer between the server and the silent client, and then some.
        for i in range(200):
            await alice.send(f"{i}:{MESSAGE}")
            await receive_until(alice, said("alice", f"{i}:{MESSAGE}"))
        silent.sendall(bytes([0x88, 0x82, 1, 2, 3, 4, 0x03 ^ 1, 0xE8 ^ 2]))  # masked close 1000
        assert await recv(alice) == left("silent")
        await asyncio.to_thread(
            wait_until, lambda: not server_side_connections(server.port, client_port), 15,
            "the server to drop the closing connection",
        )
        silent.close()
        await close_all(alice)

    run(scenario())


def test_fifty_members_chat_on_while_one_stops_reading(start_server):
    """The issue's scenario: 50 members chat while one member stops reading. It is closed, the
    server's memory stays bounded, and each of the 50 receives every message in one order."""
    # The cap must leave room for a reader's one-round burst (320 KiB), however slowly Python reads.
    cap = 1024 * 1024
    server = start_server(*NO_RATE_LIMIT,
                          "--threads", "2", "--max-queued-bytes", str(cap), "--soft-queued-bytes",
                          str(cap), "--slow-consumer-grace-ms", "600000")
    text = "y" * 32 * 1024
    senders = 10
    max_rounds = 60  # 19 MiB to the silent member at most: far past its cap and the kernel's buffers

    async def scenario():
        silent = open_silent_client(server.port, "silent")
        members = [await join(server, f"m{i}") for i in range(50)]
        for i, member in enumerate(members):  # everybody has seen everybody after them join
            for later in range(i + 1, 50):
                assert await recv(member) == joined(f"m{later}")
        rss_before = memory_kib(server.proc.pid, "VmRSS")

        expected = []
        seen = [[] for _ in members]
        closed_after = None
        for round_number in range(max_rounds):
            batch = [f"{round_number}.{s}:{text}" for s in range(senders)]
            for s in range(senders):
                await members[s].send(batch[s])
            wanted = {said(f"m{s}", batch[s]) for s in range(senders)}
            expected_now = len(wanted)

            async def read_round(i):
                got = 0
                while got < expected_now:
                    message = await recv(members[i])
                    seen[i].append(message)
                    if message in wanted:
                        got += 1

            await asyncio.gather(*(read_round(i) for i in range(len(members))))
            expected += [said(f"m{s}", batch[s]) for s in range(senders)]
            if any(left("silent") in messages for messages in seen):
                closed_after = round_number + 1
                break
        assert closed_after, f"silent member still connected after {max_rounds} rounds"
        print(f"silent member closed after {closed_after} rounds of {senders} messages")
        for i, member in enumerate(members):  # the leave notice reaches everyone
            while left("silent") not in seen[i]:
                seen[i].append(await recv(member))

        # One order for all: every member saw the same sequence, the leave notice in the same place.
        for messages in seen:
            assert messages == seen[0]
        order = [m for m in seen[0] if m != left("silent")]
        assert sorted(order) == sorted(expected)  # nothing lost, nothing extra
        for s in range(senders):  # and each sender's messages in the order sent
            mine = [m for m in order if m.startswith(f"m{s}: ")]
            assert mine == [m for m in expected if m.startswith(f"m{s}: ")]
        growth_kib = memory_kib(server.proc.pid, "VmHWM") - rss_before
        if not built_with_memory_checker():
            assert growth_kib < 8 * 1024, f"server memory grew by {growth_kib} KiB"
        silent.close()
        await close_all(*members)

    run(scenario())


def test_ping_flood_without_reading_is_one_slow_consumer_close_and_no_protocol_error(start_server):
    """A client that sends pings as fast as it can and never reads passes the hard limit with the
    pongs: it is closed with 1008 and counted once, as a slow consumer. The rest of its input keeps
    its framing (it was once dropped mid-frame, and what followed was then taken for a 1002
    protocol error, logged and counted), so its own close frame ends the handshake cleanly."""
    server = start_server("--threads", "1", "--max-queued-bytes", str(CAP), "--soft-queued-bytes",
                          str(CAP), "--slow-consumer-grace-ms", "600000", *METRICS)
    # 5 MiB of pings: far past the cap in pongs. Masked 0x70 bytes land on reserved bits wherever
    # a frame is cut.
    flood = encode_frame(OP_PING, b"\x70" * 125) * 40_000
    silent = open_silent_client(server.port, "flooder")
    silent.sendall(flood)
    silent.sendall(encode_frame(OP_CLOSE, close_payload(1000)))
    assert read_close_frame(silent) == (1008, "Too slow: too much output left unread.")
    wait_for_eof(silent)
    silent.close()

    samples = wait_for_scrape(
        server, lambda s: value(s, "parley_websocket_closes_total", code="1008") == 1,
        "the 1008 close to be counted")
    assert value(samples, "parley_slow_consumer_closes_total") == 1
    assert value(samples, "parley_rejected_inputs_total", reason="ws_protocol_error") == 0
    assert server.wait_for_line(r"WARN .*slow consumer: \d+ bytes left unread; closing it", WAIT)
    assert not [line for line in server.lines if "broke the protocol" in line]


def test_non_reading_client_is_closed_within_the_grace_period_once_the_room_goes_quiet(start_server):
    """The defaults but a 1 s grace period: 2 MiB to a client that never reads, then silence. The
    kernel's send buffer is bounded (limits.socket_send_buffer), so most of it waits in the
    server's queue, above the 1 MiB soft limit (once the kernel took up to 4 MiB by itself and the
    limit never saw it); and the grace period's end closes the client although nothing more is
    queued for it (once only queueing more did)."""
    grace_s = 1.0
    server = start_server(*NO_RATE_LIMIT, "--threads", "2",
                          "--slow-consumer-grace-ms", str(int(grace_s * 1000)))
    burst = [f"{i}:{MESSAGE}" for i in range(64)]  # 2 MiB

    async def scenario():
        silent = open_silent_client(server.port, "silent")
        alice = await join(server, "alice")
        for text in burst:
            await alice.send(text)
            await receive_until(alice, said("alice", text))
        quiet_since = time.monotonic()
        # The grace period began while the burst went out: its end is at most grace_s away.
        assert await recv(alice, timeout=grace_s + 1.0) == left("silent")
        print(f"closed {time.monotonic() - quiet_since:.2f} s after the room went quiet")
        code, reason = await asyncio.to_thread(read_close_frame, silent)
        assert (code, reason) == (1008, "Too slow: too much output left unread.")
        silent.close()
        await close_all(alice)

    run(scenario())
    assert server.wait_for_line(
        r"WARN .*slow consumer: \d+ bytes left unread for the whole grace period; closing it", WAIT)


def test_non_reading_client_in_a_busy_room_is_closed_within_the_grace_period_plus_a_second(
        start_server):
    """The defaults but a 1 s grace period, and a room that keeps talking (about 1.5 MB/s). Once
    the soft limit, the kernel's bounded send buffer and the client's own small receive buffer
    have been filled, the grace period has begun: the client must be gone a second after it ends.
    (With the kernel's own buffer, up to 4 MiB, it began seconds later.)"""
    grace_s = 1.0
    server = start_server(*NO_RATE_LIMIT, "--threads", "2",
                          "--slow-consumer-grace-ms", str(int(grace_s * 1000)))
    # The soft limit, limits.socket_send_buffer's 256 KiB (doubled by Linux) and some slack for
    # the client's receive buffer: past this, more than the soft limit waits in the server.
    past_soft = (1 << 20) + 2 * 256 * 1024 + 64 * 1024

    async def scenario():
        silent = open_silent_client(server.port, "silent")
        alice = await join(server, "alice")
        sent, crossed, n = 0, None, 0
        while True:
            n += 1
            text = f"{n}:{MESSAGE}"
            await alice.send(text)
            skipped = await receive_until(alice, said("alice", text))
            if left("silent") in skipped:
                break
            sent += len(said("alice", text)) + 4  # and the frame's header
            now = time.monotonic()
            if crossed is None and sent > past_soft:
                crossed = now
            assert crossed is None or now - crossed < grace_s + 1.0, (
                f"still connected {now - crossed:.2f} s after {sent} bytes were sent to it")
            await asyncio.sleep(0.02)  # the room's pace; nothing waits on this
        assert crossed is not None, f"closed after only {sent} bytes: before the soft limit?"
        print(f"closed {time.monotonic() - crossed:.2f} s after {past_soft} bytes were sent to it")
        silent.close()
        await close_all(alice)

    run(scenario())
