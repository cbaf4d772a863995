"""A username claim in cluster mode is one command in the commander's pipeline, never a round trip
on an event loop: while Redis is slow to answer, the connecting client's loop goes on serving
everyone else, and what the client says before its name is claimed is held, then said in order."""
import asyncio
import json
import signal

from parley_client import connect, greeting, http_request, recv, run, said
from v1_client import V1Client


def test_a_claim_waiting_for_redis_holds_no_loop_up_and_keeps_what_the_client_said(
        redis, start_node):
    node = start_node("node-a", "--server-threads", "1")  # one loop: the claim's and the others'

    async def scenario():
        bob = await connect(node, "bob")  # the node has reached Redis
        assert await recv(bob) == greeting("bob")
        redis.proc.send_signal(signal.SIGSTOP)  # Redis takes every command, answers none
        try:
            alice = await connect(node, "alice")  # upgraded before the claim is answered
            await alice.send("said before the name was mine")
            await alice.send("and again")
            carol = await V1Client.connect_raw(node, "carol")
            await carol.send(json.dumps({"type": "join", "room": "den"}))
            health = await asyncio.to_thread(http_request, node, "GET", "/healthz")
            assert health.status == 200  # the loop serves others while the claim waits
        finally:
            redis.proc.send_signal(signal.SIGCONT)
        assert await recv(alice) == greeting("alice")
        assert await recv(alice) == said("alice", "said before the name was mine")
        assert await recv(alice) == said("alice", "and again")
        events = [json.loads(await recv(carol)) for _ in range(3)]
        assert [(e["type"], e.get("room")) for e in events] == [
            ("hello", None), ("joined", "lobby"), ("joined", "den")]
        await carol.close()
        await alice.close()
        await bob.close()

    run(scenario())
