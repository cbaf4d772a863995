"""Two parley nodes on one Redis behave as one chat server (issue 11, the first slice)."""
import asyncio
import json
import time

import pytest
import websockets

from parley_client import connect, greeting, http_request, joined, left, recv, run, said
from v1_client import V1Client


async def read_texts(ws, count):
    return [await recv(ws) for _ in range(count)]


async def all_talk_at_once(carol, dave, alice):
    """Two parley.v1 clients and a legacy one send five messages each at once; both v1 clients
    must see the 15 messages with the same ids in the same order. Returns them as carol saw them."""
    await asyncio.gather(*(carol.send({"type": "send", "room": "lobby", "text": f"c{i}"})
                           for i in range(5)),
                         *(dave.send({"type": "send", "room": "lobby", "text": f"d{i}"})
                           for i in range(5)),
                         *(alice.send(f"a{i}") for i in range(5)))
    seen_by_carol = [(await carol.expect("message")) for _ in range(15)]
    seen_by_dave = [(await dave.expect("message")) for _ in range(15)]
    assert [(e["id"], e["from"], e["text"]) for e in seen_by_carol] == \
           [(e["id"], e["from"], e["text"]) for e in seen_by_dave]
    return seen_by_carol


def test_legacy_and_v1_clients_on_two_nodes_see_one_order_with_the_same_ids(two_nodes):
    a, b = two_nodes

    async def scenario():
        carol = await V1Client.open(a, "carol")
        dave = await V1Client.open(b, "dave")
        # The second join is the first's next id, whichever node each is on.
        assert dave.joined["lobby"]["last_id"] == carol.joined["lobby"]["last_id"] + 1
        assert set(dave.joined["lobby"]["users"]) == {"carol", "dave"}
        await carol.expect("join", user="dave", id=dave.joined["lobby"]["last_id"])

        alice = await connect(b, "alice")  # legacy, on node b
        assert await recv(alice) == greeting("alice")
        await carol.expect("join", user="alice")
        await dave.expect("join", user="alice")

        # Everyone talks at once from both nodes; every client sees one sequence.
        seen_by_carol = await all_talk_at_once(carol, dave, alice)
        # The legacy client, on node b, sees the same order as the tutorial's lines.
        assert await read_texts(alice, 15) == [said(e["from"], e["text"]) for e in seen_by_carol]

        await alice.close()
        await carol.expect("leave", user="alice")
        await dave.expect("leave", user="alice")
        await carol.close()
        await dave.close()

    run(scenario())


def test_three_nodes_give_clients_on_each_one_order_with_the_same_ids(start_node):
    a, b, c = start_node("node-a"), start_node("node-b"), start_node("node-c")

    async def scenario():
        carol = await V1Client.open(a, "carol")
        dave = await V1Client.open(b, "dave")
        alice = await connect(c, "alice")  # legacy, on the third node
        assert await recv(alice) == greeting("alice")
        await carol.wait_for("join", user="alice")
        await dave.wait_for("join", user="alice")
        # Her own line back: her join is in the order before anyone talks.
        await alice.send("here")
        assert await recv(alice) == said("alice", "here")
        await carol.wait_for("message", text="here")
        await dave.wait_for("message", text="here")

        seen_by_carol = await all_talk_at_once(carol, dave, alice)
        ids = [e["id"] for e in seen_by_carol]
        assert ids == list(range(ids[0], ids[0] + 15))  # consecutive: nothing between, no gap
        assert await read_texts(alice, 15) == [said(e["from"], e["text"]) for e in seen_by_carol]
        await alice.close()
        await carol.close()
        await dave.close()

    run(scenario())


def test_a_name_in_use_on_one_node_is_refused_on_the_other_and_free_after_leaving(two_nodes):
    a, b = two_nodes

    async def scenario():
        alice = await connect(a, "alice")
        assert await recv(alice) == greeting("alice")
        twin = await connect(b, "alice")
        with pytest.raises(websockets.ConnectionClosed):
            await recv(twin)
        assert (twin.close_code, twin.close_reason) == (1003, "Username already exists.")
        v1_twin = await V1Client.connect_raw(b, "alice")
        with pytest.raises(websockets.ConnectionClosed):
            await recv(v1_twin)
        assert v1_twin.close_code == 1003

        bob = await connect(b, "bob")
        assert await recv(bob) == greeting("bob")
        assert await recv(alice) == joined("bob")
        await alice.close()
        assert await recv(bob) == left("alice")  # the name is free before anyone sees the leave
        again = await connect(b, "alice")
        assert await recv(again) == greeting("alice")
        await again.close()
        await bob.close()

    run(scenario())


def test_since_resumes_through_the_other_node_with_nothing_lost_or_doubled(two_nodes):
    a, b = two_nodes

    async def scenario():
        erin = await V1Client.open(a, "erin")
        frank = await V1Client.open(a, "frank")
        await erin.expect("join", user="frank")
        await erin.say("lobby", "before")
        seen = erin.last_id["lobby"]
        await erin.close()  # erin drops; the chat goes on without her
        await frank.wait_for("leave", user="erin")
        missed = [(await frank.say("lobby", f"missed {i}"))[0] for i in range(3)]

        back = await V1Client.open(b, "erin", query=f"since={seen}")  # through the other node
        events = back.joined["lobby"]["events"]
        assert [e["id"] for e in events] == list(range(seen + 1, back.joined["lobby"]["last_id"] + 1))
        assert [e["text"] for e in events if e["type"] == "message"] == [m["text"] for m in missed]
        assert events[0] == {**events[0], "type": "leave", "user": "erin"}
        await frank.expect("join", user="erin")
        await frank.say("lobby", "welcome back")
        await back.expect("message", text="welcome back")
        await back.close()
        await frank.close()

    run(scenario())


def test_a_publish_the_node_missed_is_read_from_the_stream_before_what_follows(redis, two_nodes):
    a, b = two_nodes

    async def scenario():
        carol = await V1Client.open(a, "carol")
        dave = await V1Client.open(b, "dave")
        await carol.expect("join", user="dave")
        # An event that reached the room's stream but whose PUBLISH no node received (as when a
        # subscription drops for a moment): the next event shows the gap, and each node reads it.
        lost = int(redis.command("INCR", "parley:{lobby}:id"))
        event = json.dumps({"id": lost, "ts": int(time.time() * 1000), "kind": "message",
                            "user": "ghost", "node": "elsewhere", "member": 0,
                            "text": "published while you were away"})
        redis.command("XADD", "parley:{lobby}:stream", f"{lost}-1", "e", event)
        await carol.send({"type": "send", "room": "lobby", "text": "after the gap"})
        for client in (carol, dave):  # V1Client fails on any id out of sequence
            missed = await client.expect("message", id=lost, text="published while you were away")
            assert missed["from"] == "ghost"
            await client.expect("message", id=lost + 1, text="after the gap")
        await carol.close()
        await dave.close()

    run(scenario())


def test_after_redis_restarts_empty_ids_continue_above_what_clients_have_seen(redis, two_nodes):
    a, b = two_nodes

    async def scenario():
        carol = await V1Client.open(a, "carol")
        dave = await V1Client.open(b, "dave")
        await carol.expect("join", user="dave")
        _, before = await carol.say("lobby", "before the restart")
        await dave.wait_for("message", text="before the restart")
        seen = carol.last_id["lobby"]
        marks = [len(node.lines) for node in (a, b)]
        redis.restart_empty()
        for node, mark in zip((a, b), marks):
            assert node.wait_for_line("cluster: connected to Redis", 10, start_at=mark)
            assert node.wait_for_line("cluster: subscribed", 10, start_at=mark)
        await asyncio.wait_for(carol.say("lobby", "after the restart"), 10)
        event, _ = await dave.wait_for("message", text="after the restart")
        assert event["id"] == seen + 1  # not 1: Redis forgot its counter, the nodes did not
        await carol.close()
        await dave.close()

    run(scenario())


def test_two_clients_racing_for_one_name_on_two_nodes_one_wins(two_nodes):
    a, b = two_nodes

    async def attempt(node):
        ws = await connect(node, "zoe")
        try:
            return ws, await recv(ws)
        except websockets.ConnectionClosed:
            return ws, (ws.close_code, ws.close_reason)

    async def scenario():
        watcher = await connect(a, "yan")
        assert await recv(watcher) == greeting("yan")
        for _ in range(5):  # a fresh race each round
            results = await asyncio.gather(attempt(a), attempt(b))
            outcomes = [outcome for _, outcome in results]
            assert sorted(outcomes, key=str) == sorted(
                [greeting("zoe"), (1003, "Username already exists.")], key=str), outcomes
            (winner,) = [ws for ws, outcome in results if outcome == greeting("zoe")]
            assert await recv(watcher) == joined("zoe")
            await winner.close()
            # The name is free before anyone sees its holder leave.
            assert await recv(watcher) == left("zoe")
        await watcher.close()

    run(scenario())


def test_readyz_answers_503_while_redis_is_away_and_200_once_it_is_back(redis, start_node):
    node = start_node("node-a")
    assert node.wait_for_line("cluster: connected to Redis", 10)
    assert node.wait_for_line("cluster: subscribed", 10)
    assert http_request(node, "GET", "/readyz").status == 200
    mark = len(node.lines)
    redis.stop()
    assert node.wait_for_line("cluster: lost the Redis subscription", 10, start_at=mark)
    answer = http_request(node, "GET", "/readyz")
    assert (answer.status, answer.body) == (503, b"redis unreachable\n")
    assert http_request(node, "GET", "/healthz").status == 200  # alive: no restart wanted
    mark = len(node.lines)
    redis.start_again()
    assert node.wait_for_line("cluster: connected to Redis", 10, start_at=mark)
    assert node.wait_for_line("cluster: subscribed", 10, start_at=mark)
    assert http_request(node, "GET", "/readyz").status == 200


def test_a_send_while_redis_is_away_gets_unavailable_and_goes_through_once_it_is_back(
        redis, start_node):
    node = start_node("node-a")

    async def scenario():
        carol = await V1Client.open(node, "carol")
        mark = len(node.lines)
        redis.stop()
        assert node.wait_for_line("cluster: lost the Redis subscription", 10, start_at=mark)
        await carol.send({"type": "send", "room": "lobby", "text": "anyone?", "client_id": "c-9"})
        await carol.expect("error", code="unavailable", room="lobby", client_id="c-9")
        mark = len(node.lines)
        redis.start_again()
        assert node.wait_for_line("cluster: connected to Redis", 10, start_at=mark)
        assert node.wait_for_line("cluster: subscribed", 10, start_at=mark)
        message, _ = await carol.say("lobby", "anyone?", client_id="c-9")
        assert message["id"] == carol.joined["lobby"]["last_id"] + 1  # the failed send took no id
        await carol.close()

    run(scenario())
