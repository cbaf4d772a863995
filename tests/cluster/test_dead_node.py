"""A node that dies (kill -9) takes nobody's name or presence with it (issue 11, item 5).

Its users' names expire with their lease, and a surviving node publishes exactly one leave per
user in each room they were in, which every client on every other node sees in one order.
"""
import asyncio
import json
import time

import pytest

from parley_client import connect, greeting, http_request, left, recv, run
from v1_client import V1Client

LEASE_MS = 1500
# The reaper looks every lease/3; a dead node's deadline is its last heartbeat plus the lease.
REAPED_WITHIN_S = 3 * LEASE_MS / 1000 + 5


@pytest.fixture
def three_nodes(start_node):
    lease = ("--cluster-lease-ms", str(LEASE_MS))
    return (start_node("node-a", *lease), start_node("node-b", *lease),
            start_node("node-c", *lease))


async def users_become(node, room, users, timeout=5.0):
    """Waits until the node's /api/rooms/{room} lists exactly `users` (each node applies the
    room's events on its own time)."""
    deadline = time.monotonic() + timeout
    while True:
        answer = http_request(node, "GET", f"/api/rooms/{room}")
        listed = set(json.loads(answer.body)["users"]) if answer.status == 200 else None
        if listed == users:
            return
        assert time.monotonic() < deadline, f"{room} on {node.port}: {listed}, not {users}"
        await asyncio.sleep(0.05)


async def connect_when_free(node, name, deadline):
    """Connects `name` (legacy) once no node holds it any more; fails after `deadline`."""
    while True:
        ws = await connect(node, name)
        first = await recv(ws)
        if first == greeting(name):
            return ws
        await ws.close()
        assert time.monotonic() < deadline, f"{name} still taken"
        await asyncio.sleep(0.1)  # polling the name: it frees by a timer in Redis


def test_a_killed_node_s_users_leave_once_everywhere_and_their_names_come_free(redis, three_nodes):
    a, b, c = three_nodes

    async def scenario():
        carol = await V1Client.open(a, "carol")
        await carol.join("den")
        dave = await connect(b, "dave")  # legacy, on node b
        assert await recv(dave) == greeting("dave")

        alice = await connect(c, "alice")  # legacy, on the node that dies
        assert await recv(alice) == greeting("alice")
        bob = await V1Client.open(c, "bob")
        await bob.join("den")
        await carol.wait_for("join", room="den", user="bob")
        await users_become(b, "lobby", {"carol", "dave", "alice", "bob"})

        killed_at = time.monotonic()
        c.proc.kill()
        c.proc.wait(10)

        # Every client on the surviving nodes sees one leave per user and room.
        wanted = {("lobby", "alice"), ("lobby", "bob"), ("den", "bob")}
        leaves = {}
        while set(leaves) != wanted:
            event = await carol.recv(timeout=REAPED_WITHIN_S)
            if event["type"] == "leave":
                key = (event["room"], event["user"])
                assert key in wanted and key not in leaves, f"unexpected {event}"
                leaves[key] = event
        leave_alice = leaves[("lobby", "alice")]
        assert time.monotonic() - killed_at < REAPED_WITHIN_S

        # Both survivors found node-c dead; once it is forgotten, no second leave can follow.
        deadline = time.monotonic() + REAPED_WITHIN_S
        while redis.command("ZSCORE", "parley:nodes", "node-c") != "":
            assert time.monotonic() < deadline, "node-c was never forgotten"
            await asyncio.sleep(0.1)
        for room in ("lobby", "den"):
            before = await carol.sync(room, marker=f"after-reaping-{room}")
            leaves = [e for e in before if e["type"] == "leave"]
            assert leaves == [], f"a second leave in {room}: {leaves}"
        members = set(redis.command("HKEYS", "parley:{lobby}:members").split("\n"))
        assert members == {"node-a\x1fcarol", "node-b\x1fdave"}

        # The legacy client on node b saw the same leaves, each once.
        lines = [await recv(dave)]
        while not lines[-1].endswith("after-reaping-lobby"):
            lines.append(await recv(dave))
        leaves = [line for line in lines if line in (left("alice"), left("bob"))]
        assert sorted(leaves) == sorted([left("alice"), left("bob")])

        # The names come free by their lease, on any node.
        deadline = killed_at + REAPED_WITHIN_S
        alice_again = await connect_when_free(a, "alice", deadline)
        joined_alice, _ = await carol.wait_for("join", room="lobby", user="alice")
        assert joined_alice["id"] > leave_alice["id"]
        # Presence on every node counts nobody from node-c, and the new alice.
        for node in (a, b):
            await users_become(node, "lobby", {"carol", "dave", "alice"})

        await alice_again.close()
        await dave.close()
        await carol.close()

    run(scenario())


def test_a_node_counts_the_live_nodes_and_forgets_a_dead_one(redis, three_nodes):
    a, b, c = three_nodes
    deadline = time.monotonic() + REAPED_WITHIN_S
    while redis.command("ZCARD", "parley:nodes") != "3":
        assert time.monotonic() < deadline, redis.command("ZRANGE", "parley:nodes", "0", "-1")
        time.sleep(0.1)
    c.proc.kill()
    c.proc.wait(10)
    deadline = time.monotonic() + REAPED_WITHIN_S
    while redis.command("ZCARD", "parley:nodes") != "2":
        assert time.monotonic() < deadline, "node-c was never forgotten"
        time.sleep(0.1)
    # Whichever survivor found it first reaped it (both may have).
    deadline = time.monotonic() + 5
    while not any(node.wait_for_line("node node-c stopped answering", 0.1) for node in (a, b)):
        assert time.monotonic() < deadline, "no survivor says it found node-c dead"
