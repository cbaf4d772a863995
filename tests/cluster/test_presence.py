"""Presence across nodes in the HTTP API (issue 11, item 5): a node lists the rooms, and the users
in them, that only other nodes have opened, including rooms made before it started."""
import asyncio
import json
import time

from parley_client import http_request, run
from v1_client import V1Client


async def api_becomes(node, path, check, timeout=5.0):
    """Waits until check(the JSON body of GET path) holds; returns the body."""
    deadline = time.monotonic() + timeout
    while True:
        answer = http_request(node, "GET", path)
        body = json.loads(answer.body) if answer.status == 200 else None
        if body is not None and check(body):
            return body
        assert time.monotonic() < deadline, f"GET {path}: {answer.status} {body}"
        await asyncio.sleep(0.05)  # each node applies the room's events on its own time


def test_a_node_lists_rooms_and_users_only_other_nodes_have_opened(start_node):
    a = start_node("node-a")

    async def scenario():
        carol = await V1Client.open(a, "carol")
        await carol.join("den")
        await carol.say("den", "first")
        # node-b starts after the rooms were made: it reads them from Redis.
        b = start_node("node-b")
        assert b.wait_for_line("cluster: subscribed", 10)
        den = await api_becomes(b, "/api/rooms/den", lambda r: r["users"] == ["carol"])
        assert den["online"] == 1 and den["last_id"] == carol.last_id["den"]
        listed = await api_becomes(b, "/api/rooms", lambda r: {x["room"] for x in r["rooms"]}
                                   == {"lobby", "den"})
        assert {x["room"]: x["online"] for x in listed["rooms"]} == {"lobby": 1, "den": 1}

        # Live changes reach it too: someone joins on node a, then carol leaves the den.
        erin = await V1Client.open(a, "erin", query="room=den")
        await api_becomes(b, "/api/rooms/den", lambda r: sorted(r["users"]) == ["carol", "erin"])
        await carol.leave("den")
        await api_becomes(b, "/api/rooms/den", lambda r: r["users"] == ["erin"])
        assert http_request(b, "GET", "/api/rooms/nowhere").status == 404
        await carol.close()
        await erin.close()

    run(scenario())
