"""A client that stops reading is dropped once its unsent output passes --max-queued-bytes; the
room and everyone else in it carry on and miss nothing."""
import asyncio
import socket
import subprocess
import time

from parley_client import WAIT, close_all, http_request, join, left, receive_until, recv, run, said, sync

CAP = 256 * 1024
MESSAGE = "x" * 32 * 1024
MAX_MESSAGES = 1000  # 32 MiB at most: far past the cap plus every kernel buffer on loopback


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


def test_client_that_stops_reading_is_dropped_and_the_room_misses_nothing(start_server):
    server = start_server("--threads", "2", "--max-queued-bytes", str(CAP))

    async def scenario():
        bob = await join(server, "bob")
        silent = open_silent_client(server.port, "silent")
        assert await recv(bob) == "silent connected to chat"
        alice = await join(server, "alice")
        assert await recv(bob) == "alice connected to chat"

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
        assert dropped.is_set(), f"silent client still connected after {sent} messages"
        print(f"silent client dropped after {sent} messages")
        await asyncio.wait_for(reader, WAIT)
        assert received == [said("alice", f"{i}:{MESSAGE}") for i in range(1, sent + 1)]

        # The room still works for everyone else, and alice saw only the leave notice besides.
        assert alice_missed + await sync(alice, "alice") == [left("silent")]
        assert await sync(bob, "bob") == [said("alice", "sync-marker")]
        silent.close()
        await close_all(alice, bob)

    run(scenario())
    assert server.wait_for_line(r"WARN .*dropping a connection that left \d+ bytes unread", WAIT)


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
        assert server.wait_for_line(r"dropping a connection that left \d+ bytes unread", WAIT)
    response = http_request(server, "GET", "/healthz")
    assert (response.status, response.body) == (200, b"ok\n")


def test_closing_connection_that_never_reads_its_output_is_dropped_after_a_deadline(start_server):
    """A client that stops reading, then sends a close frame: its output can never be flushed, so
    the server must not keep the connection (and its queued output) waiting for ever."""
    server = start_server("--threads", "2")

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
