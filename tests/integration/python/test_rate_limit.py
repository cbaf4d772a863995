"""limits.messages_per_second: a connection sending faster than the limit (after its burst) gets
error rate_limited per request over it (parley.v1, nothing carried out) or, speaking the legacy
protocol, is closed with 1008 once past limits.legacy_rate_tolerance. Counted in metrics.

The limits here are small and the rate slow (1 a second), so what is over it does not depend on how
fast the test machine is: everything is sent at once, far quicker than a token refills."""
import asyncio

import websockets

from metrics_scrape import delta, scrape, value, wait_for_scrape
from parley_client import (
    closed, connect, greeting, joined, left, recv, run, said, sync,
)
from v1_client import V1Client, close_all, new_client_id

METRICS = ("--metrics-enabled", "--metrics-port", "0", "--metrics-bind", "127.0.0.1")
# One message a second, five at once; a legacy client may owe three more.
SLOW = ("--threads", "2", "--limits-messages-per-second", "1", "--limits-messages-burst", "5",
        "--limits-legacy-rate-tolerance", "3", *METRICS)


def test_v1_requests_over_the_burst_get_rate_limited_and_are_not_carried_out(start_server):
    server = start_server(*SLOW)

    async def scenario():
        alice = await V1Client.open(server, "alice")
        bob = await V1Client.open(server, "bob")
        await alice.expect("join", user="bob")
        before = scrape(server)
        ids = [new_client_id() for _ in range(8)]
        for i, client_id in enumerate(ids):
            await bob.send({"type": "send", "room": "lobby", "text": f"m{i}",
                            "client_id": client_id})
        # Every request counts, and a malformed one over the limit is refused for its rate.
        await bob.send_invalid("not json")
        # The burst (5) goes through; the other four are refused, the sends with their client_id.
        said_events, errors = [], []
        while len(said_events) + len(errors) < 9:
            event = await bob.recv()
            if event["type"] == "message":
                said_events.append(event)
            elif event["type"] == "error":
                errors.append(event)
        assert [e["text"] for e in said_events] == [f"m{i}" for i in range(5)]
        assert [e.get("client_id") for e in errors] == ids[5:] + [None]
        for error in errors:
            assert error["code"] == "rate_limited"
            assert "Too many messages: at most 1 a second" in error["reason"]
        assert [e.get("room") for e in errors] == ["lobby"] * 3 + [None]
        # Alice saw only the five: the refused ones were never said.
        got = [(await alice.expect("message", room="lobby"))["text"] for _ in range(5)]
        assert got == [f"m{i}" for i in range(5)]
        after = wait_for_scrape(
            server, lambda s: delta(before, s, "parley_messages_rate_limited_total") == 4,
            "four rate-limited messages")
        assert delta(before, after, "parley_protocol_errors_total", code="rate_limited") == 4
        # The connection stays open; alice, in her own bucket, still chats.
        message, _ = await alice.say("lobby", "alice is fine")
        assert message["from"] == "alice"
        await close_all(alice, bob)
    run(scenario())


def test_v1_tokens_come_back_at_the_rate(start_server):
    server = start_server("--threads", "2", "--limits-messages-per-second", "5",
                          "--limits-messages-burst", "1")

    async def scenario():
        bob = await V1Client.open(server, "bob")
        await bob.send({"type": "send", "room": "lobby", "text": "first"})
        await bob.send({"type": "send", "room": "lobby", "text": "too soon"})
        # The error comes straight back, the message through the room: either may come first.
        got = [await bob.recv(), await bob.recv()]
        assert sorted((e["type"], e.get("text", e.get("code"))) for e in got) == [
            ("error", "rate_limited"), ("message", "first")]
        # A token per 200 ms: a send 250 ms after the last is always taken.
        for i in range(4):
            await asyncio.sleep(0.25)  # the time under test, not synchronisation
            message, before = await bob.say("lobby", f"paced {i}")
            assert [e for e in before if e["type"] == "error"] == []
        await bob.close()
    run(scenario())


def test_legacy_flood_is_delivered_until_the_tolerance_then_closed_with_1008(start_server):
    server = start_server(*SLOW)

    async def scenario():
        bob = await connect(server, "bob")
        assert await recv(bob) == greeting("bob")
        flooder = await connect(server, "flooder")
        assert await recv(flooder) == greeting("flooder")
        assert await recv(bob) == joined("flooder")
        before = scrape(server)
        try:
            for i in range(20):
                await flooder.send(f"f{i}")
        except websockets.ConnectionClosed:
            pass  # the server's close came back before the last sends

        # Burst 5 + tolerance 3 are delivered; the ninth message closes it.
        code, reason, messages = await closed(flooder)
        assert (code, reason) == (1008, "Too many messages.")
        # Its own echoes race the close (they come back through the room): a prefix reached it.
        assert messages == [said("flooder", f"f{i}") for i in range(len(messages))]
        assert len(messages) <= 8
        assert [await recv(bob) for _ in range(9)] == (
            [said("flooder", f"f{i}") for i in range(8)] + [left("flooder")])
        after = wait_for_scrape(
            server, lambda s: delta(before, s, "parley_rejected_inputs_total",
                                    reason="chat_rate_limited") == 1
            and delta(before, s, "parley_websocket_closes_total", code="1008") == 1,
            "the flooder's close counted")
        # Counted: the three tolerated and the one that closed it.
        assert delta(before, after, "parley_messages_rate_limited_total") == 4
        assert delta(before, after, "parley_websocket_closes_total", code="1008") == 1
        assert await sync(bob, "bob", "room goes on") == []
        await bob.close()
    run(scenario())


def test_legacy_client_within_the_burst_is_untouched(start_server):
    server = start_server(*SLOW)

    async def scenario():
        alice = await connect(server, "alice")
        assert await recv(alice) == greeting("alice")
        for i in range(5):
            await alice.send(f"ok{i}")
        assert [await recv(alice) for _ in range(5)] == [said("alice", f"ok{i}") for i in range(5)]
        await alice.close()
    run(scenario())


def test_zero_turns_the_limit_off(start_server):
    server = start_server("--threads", "2", "--limits-messages-per-second", "0",
                          "--limits-messages-burst", "1", *METRICS)

    async def scenario():
        alice = await connect(server, "alice")
        assert await recv(alice) == greeting("alice")
        for i in range(100):
            await alice.send(f"m{i}")
        wanted = [said("alice", f"m{i}") for i in range(100)]
        assert [await recv(alice) for _ in range(100)] == wanted
        await alice.close()
    run(scenario())
    assert value(scrape(server), "parley_messages_rate_limited_total") == 0
