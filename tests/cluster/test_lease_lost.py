"""A node cut off from Redis for longer than cluster.lease_ms has been taken for dead: another node
published its users' leaves and their names came free. When it is back, it must not let them chat
on as ghosts (absent from every list, their names claimable by others): it sends each of its
connections away with 1012, so they come back as newcomers, and each leave stays said once."""
import signal

import pytest

from parley_client import closed, connect, greeting, recv, run, said
from v1_client import V1Client

LEASE_MS = 1500
REAPED_WITHIN_S = 3 * LEASE_MS / 1000 + 5


@pytest.fixture
def two_nodes(start_node):
    lease = ("--cluster-lease-ms", str(LEASE_MS))
    return start_node("node-a", *lease), start_node("node-b", *lease)


def test_a_node_back_from_the_dead_sends_its_users_away_once_and_they_come_back(
        two_nodes):
    node_a, node_b = two_nodes

    async def scenario():
        bob = await V1Client.open(node_b, "bob")
        alice = await connect(node_a, "alice")
        assert await recv(alice) == greeting("alice")
        await alice.send("here")
        assert await recv(alice) == said("alice", "here")  # her join is in the cluster's order
        await bob.wait_for("message", text="here")

        node_a.proc.send_signal(signal.SIGSTOP)  # cut off: no heartbeat, no lease refresh
        try:
            await bob.wait_for("leave", user="alice", timeout=REAPED_WITHIN_S)
        finally:
            node_a.proc.send_signal(signal.SIGCONT)
        mark = len(node_a.lines)
        code, reason, _ = await closed(alice, timeout=10)
        assert (code, reason) == (1012, "This node lost its place in the cluster; reconnect.")
        assert node_a.wait_for_line("lease lapsed", 5, start_at=mark)

        # Her name is free, and she comes back as a newcomer; bob saw one leave, then one join
        # (V1Client checks that every id of the room arrives once, in order).
        alice = await connect(node_a, "alice")
        assert await recv(alice) == greeting("alice")
        join, between = await bob.wait_for("join", user="alice")
        assert not [e for e in between if e["type"] == "leave"], between
        await alice.close()
        await bob.close()

    run(scenario())
