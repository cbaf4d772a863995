"""Two parley nodes on one Redis behave as one chat server (issue 11, the first slice)."""
import asyncio

import pytest
import websockets

from parley_client import connect, greeting, joined, left, recv, run, said
from v1_client import V1Client


async def read_texts(ws, count):
    return [await recv(ws) for _ in range(count)]


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
        await asyncio.gather(*(carol.send({"type": "send", "room": "lobby", "text": f"c{i}"})
                               for i in range(5)),
                             *(dave.send({"type": "send", "room": "lobby", "text": f"d{i}"})
                               for i in range(5)),
                             *(alice.send(f"a{i}") for i in range(5)))
        seen_by_carol = [(await carol.expect("message")) for _ in range(15)]
        seen_by_dave = [(await dave.expect("message")) for _ in range(15)]
        assert [(e["id"], e["from"], e["text"]) for e in seen_by_carol] == \
               [(e["id"], e["from"], e["text"]) for e in seen_by_dave]
        # The legacy client, on node b, sees the same order as the tutorial's lines.
        assert await read_texts(alice, 15) == [said(e["from"], e["text"]) for e in seen_by_carol]

        await alice.close()
        await carol.expect("leave", user="alice")
        await dave.expect("leave", user="alice")
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
