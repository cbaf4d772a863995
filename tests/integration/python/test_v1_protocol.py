"""parley.v1 against the real binary: negotiation, hello, joined, the stored events and their ids,
typing, history paging and client_id retries. Every frame either way is checked against
docs/protocol.schema.json by V1Client."""
import asyncio
import os
import re
import time

from parley_client import close_all as close_legacy
from parley_client import NO_RATE_LIMIT, connect, greeting, recv, run
from v1_client import SUBPROTOCOL, V1Client, close_all, coverage, new_client_id, parse_ts

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..")


def project_version():
    with open(os.path.join(ROOT, "CMakeLists.txt"), encoding="utf-8") as cmake:
        return re.search(r"project\(parley VERSION ([0-9.]+)", cmake.read()).group(1)


# ---------------------------------------------------------------- negotiation


def test_parley_v1_among_other_offers_is_chosen_and_echoed(server):
    async def scenario():
        alice = await V1Client.open(server, "alice", subprotocols=("chat", SUBPROTOCOL, "x.y"))
        assert alice.ws.response_headers["Sec-WebSocket-Protocol"] == SUBPROTOCOL
        await alice.close()
    run(scenario())


def test_an_offer_without_parley_v1_gets_the_legacy_protocol(server):
    async def scenario():
        ws = await connect(server, "alice", subprotocols=["chat", "parley.v2"])
        assert ws.subprotocol is None
        assert "Sec-WebSocket-Protocol" not in ws.response_headers
        assert await recv(ws) == greeting("alice")
        await close_legacy(ws)
    run(scenario())


# ---------------------------------------------------------------- hello and joined


def test_hello_comes_first_with_the_user_version_and_default_limits(server):
    async def scenario():
        alice = await V1Client.open(server, "alice")
        assert alice.hello == {
            "type": "hello", "user": "alice", "version": project_version(),
            "protocol": "parley.v1",
            "limits": {"max_message_size": 65536, "max_text_bytes": 16384, "max_rooms": 64,
                       "history_limit": 100, "typing_interval_ms": 2000}}
        await alice.close()
    run(scenario())


def test_hello_limits_follow_the_configuration(start_server):
    server = start_server("--limits-max-text-bytes", "1000", "--limits-max-message-size", "4096",
                          "--limits-max-rooms-per-connection", "3")

    async def scenario():
        alice = await V1Client.open(server, "alice")
        limits = alice.hello["limits"]
        assert (limits["max_text_bytes"], limits["max_message_size"], limits["max_rooms"]) == (
            1000, 4096, 3)
        await alice.close()
    run(scenario())


def test_joined_lists_the_users_online_last_id_and_the_own_join(server):
    async def scenario():
        alice = await V1Client.open(server, "alice", "age=30")
        first = alice.joined["lobby"]
        assert first["users"] == ["alice"] and first["last_id"] == 1
        assert len(first["events"]) == 1
        join = first["events"][0]
        assert (join["type"], join["id"], join["user"], join["age"]) == ("join", 1, "alice", 30)
        assert "reset" not in first

        bob = await V1Client.open(server, "bob")
        second = bob.joined["lobby"]
        assert sorted(second["users"]) == ["alice", "bob"] and second["last_id"] == 2
        assert [(e["type"], e["id"], e["user"]) for e in second["events"]] == [
            ("join", 1, "alice"), ("join", 2, "bob")]
        assert "age" not in second["events"][1]
        seen = await alice.expect("join", id=2, room="lobby", user="bob")
        assert "age" not in seen
        await close_all(alice, bob)
    run(scenario())


def test_joined_holds_the_newest_on_join_events_before_the_own_join(start_server):
    server = start_server("--history-on-join", "3")

    async def scenario():
        alice = await V1Client.open(server, "alice")
        for i in range(6):
            await alice.say("lobby", f"m{i}")  # ids 2..7
        bob = await V1Client.open(server, "bob")
        events = bob.joined["lobby"]["events"]
        assert [e.get("text") for e in events[:3]] == ["m3", "m4", "m5"]
        assert [e["id"] for e in events] == [5, 6, 7, 8]
        assert events[3]["type"] == "join" and events[3]["user"] == "bob"
        await close_all(alice, bob)
    run(scenario())


def test_the_user_is_the_percent_decoded_name(server):
    async def scenario():
        alice = await V1Client.open(server, "alice")
        ws = await V1Client.connect_raw(server, "J%C3%BCrgen")
        jurgen = V1Client(ws, "Jürgen")
        await jurgen.expect("hello", user="Jürgen")
        joined = await jurgen.expect("joined", room="lobby")
        assert sorted(joined["users"]) == ["Jürgen", "alice"]
        await alice.expect("join", user="Jürgen")
        message, _ = await jurgen.say("lobby", "grüß dich")
        assert message["from"] == "Jürgen"
        await close_all(alice, jurgen)
    run(scenario())


def test_a_since_beyond_the_last_id_is_answered_as_a_fresh_join_with_reset(server):
    async def scenario():
        alice = await V1Client.open(server, "alice", "since=5")
        assert alice.joined["lobby"]["reset"] is True
        assert [e["id"] for e in alice.joined["lobby"]["events"]] == [1]
        dev = await alice.join("dev", since=3)
        assert dev["reset"] is True and dev["last_id"] == 1
        await alice.close()
    run(scenario())


# ---------------------------------------------------------------- stored events


def test_message_join_and_leave_events_have_consecutive_ids_and_utc_millisecond_times(server):
    async def scenario():
        alice = await V1Client.open(server, "alice")  # id 1
        bob = await V1Client.open(server, "bob", "age=7")  # id 2
        join = await alice.expect("join", id=2, room="lobby", user="bob", age=7)

        client_id = new_client_id()
        message, before = await alice.say("lobby", "hello bob", client_id)
        assert before == []
        assert message == {"type": "message", "id": 3, "ts": message["ts"], "room": "lobby",
                           "from": "alice", "text": "hello bob", "client_id": client_id}
        assert await bob.recv() == message
        reply, _ = await bob.say("lobby", "hi alice")
        assert "client_id" not in reply and reply["id"] == 4
        assert await alice.recv() == reply

        await bob.leave("lobby")  # a leave request
        leave = await alice.expect("leave", id=5, room="lobby", user="bob")
        assert set(leave) == {"type", "id", "ts", "room", "user"}
        carol = await V1Client.open(server, "carol")  # id 6
        await alice.expect("join", id=6, user="carol")
        await carol.close()  # a close
        await alice.expect("leave", id=7, user="carol")

        times = [parse_ts(e["ts"]) for e in (join, message, reply, leave)]
        assert times == sorted(times)
        await close_all(alice, bob)
    run(scenario())


def test_text_is_carried_exactly_whatever_it_holds(server):
    async def scenario():
        alice = await V1Client.open(server, "alice")
        bob = await V1Client.open(server, "bob")
        await alice.expect("join", user="bob")
        for text in ["", "quote \" backslash \\ slash /", "line\nbreak\ttab\u0001",
                     "Jürgen ✓ 🎉", "<b>not html</b>", "x" * 16384]:
            message, _ = await alice.say("lobby", text)
            assert message["text"] == text
            assert (await bob.recv())["text"] == text
        await close_all(alice, bob)
    run(scenario())


# ---------------------------------------------------------------- typing


def test_typing_goes_to_the_other_v1_members_once_per_two_seconds_and_is_not_stored(
        server):
    async def scenario():
        alice = await V1Client.open(server, "alice")
        bob = await V1Client.open(server, "bob")
        await alice.expect("join", user="bob")
        legacy = await connect(server, "carol")
        assert await recv(legacy) == greeting("carol")
        await alice.expect("join", user="carol")
        await bob.expect("join", user="carol")

        for _ in range(3):  # back to back: only the first is passed on
            await bob.send({"type": "typing", "room": "lobby"})
        message, before = await bob.say("lobby", "done typing")
        assert before == [], "the typer gets no typing event of its own"
        typing, before = await alice.wait_for("message", id=message["id"])
        assert before == [{"type": "typing", "room": "lobby", "user": "bob"}]
        # Not stored: the message took the next id after carol's join (3).
        assert message["id"] == 4
        # Legacy members get nothing for typing.
        assert await recv(legacy) == "bob: done typing"
        await close_legacy(legacy)
        await close_all(alice, bob)
    run(scenario())


def test_typing_is_limited_per_room_and_per_user(server):
    async def scenario():
        alice = await V1Client.open(server, "alice")
        bob = await V1Client.open(server, "bob")
        carol = await V1Client.open(server, "carol")
        for member in (alice, bob, carol):
            await member.join("dev")
        await alice.wait_for("join", room="dev", user="carol")

        await bob.send({"type": "typing", "room": "lobby"})
        await bob.send({"type": "typing", "room": "dev"})
        await carol.send({"type": "typing", "room": "lobby"})
        await bob.send({"type": "typing", "room": "dev"})  # dropped
        await carol.send({"type": "typing", "room": "lobby"})  # dropped
        # One room has one order, rooms have none between them: a marker per room and typer.
        markers = {("lobby", "bob"), ("dev", "bob"), ("lobby", "carol")}
        for room, user in markers:
            await (bob if user == "bob" else carol).send(
                {"type": "send", "room": room, "text": "marker"})
        typings = []
        while markers:
            event = await alice.recv()
            if event["type"] == "typing":
                assert (event["room"], event["user"]) in markers, "typing after the marker"
                typings.append((event["room"], event["user"]))
            elif event["type"] == "message":
                markers.discard((event["room"], event["from"]))
        assert sorted(typings) == [("dev", "bob"), ("lobby", "bob"), ("lobby", "carol")]
        await close_all(alice, bob, carol)
    run(scenario())


def test_typing_passes_again_once_the_interval_is_over(server):
    async def scenario():
        alice = await V1Client.open(server, "alice")
        bob = await V1Client.open(server, "bob")
        await alice.expect("join", user="bob")
        await bob.send({"type": "typing", "room": "lobby"})
        await alice.expect("typing", user="bob")
        started = time.monotonic()
        # Keep typing every 200 ms; exactly one more typing event comes through, after 2 s.
        while True:
            await bob.send({"type": "typing", "room": "lobby"})
            marker, _ = await bob.say("lobby", f"t{time.monotonic()}")
            _, before = await alice.wait_for("message", id=marker["id"])
            if before:
                break
            assert time.monotonic() - started < 4.0, "typing was dropped beyond its interval"
            await asyncio.sleep(0.2)  # pacing only: each round is judged by its own barrier
        assert before == [{"type": "typing", "room": "lobby", "user": "bob"}]
        assert time.monotonic() - started >= 1.9, "a second typing passed within the interval"
        await close_all(alice, bob)
    run(scenario())


# ---------------------------------------------------------------- history paging


def test_history_pages_back_through_every_stored_event_oldest_first(start_server):
    server = start_server("--threads", "2", *NO_RATE_LIMIT)

    async def scenario():
        alice = await V1Client.open(server, "alice")  # id 1
        for i in range(44):
            await alice.send({"type": "send", "room": "lobby", "text": f"m{i}"})
        await alice.wait_for("message", text="m43")  # id 45
        await alice.send({"type": "history", "room": "lobby"})
        newest = await alice.expect("history", room="lobby")
        assert [e["id"] for e in newest["events"]] == list(range(1, 46))  # default 50, all 45

        pages = []
        before = None
        while True:
            request = {"type": "history", "room": "lobby", "limit": 20}
            if before is not None:
                request["before"] = before
            await alice.send(request)
            page = await alice.expect("history", room="lobby")
            if not page["events"]:
                break
            pages.append([e["id"] for e in page["events"]])
            before = page["events"][0]["id"]
        assert pages == [list(range(26, 46)), list(range(6, 26)), list(range(1, 6))]

        for before in (0, 1):  # nothing below the first id
            await alice.send({"type": "history", "room": "lobby", "before": before})
            assert (await alice.expect("history", room="lobby"))["events"] == []
        await alice.send({"type": "history", "room": "lobby", "before": 11, "limit": 100})
        page = await alice.expect("history", room="lobby")
        assert [e["id"] for e in page["events"]] == list(range(1, 11))
        assert page["events"] == newest["events"][:10]  # the same events as the first time
        await alice.close()
    run(scenario())


def test_history_up_to_the_limit_of_100_per_page(start_server):
    server = start_server("--threads", "2", *NO_RATE_LIMIT)

    async def scenario():
        alice = await V1Client.open(server, "alice")  # id 1
        for i in range(120):
            await alice.send({"type": "send", "room": "lobby", "text": f"m{i}"})
        await alice.wait_for("message", text="m119")  # id 121
        await alice.send({"type": "history", "room": "lobby", "limit": 100})
        page = await alice.expect("history", room="lobby")
        assert [e["id"] for e in page["events"]] == list(range(22, 122))
        assert coverage(page["events"], 21, 121)
        await alice.close()
    run(scenario())


# ---------------------------------------------------------------- client_id retries


def test_a_repeated_client_id_is_acknowledged_to_its_sender_not_said_again(server):
    async def scenario():
        alice = await V1Client.open(server, "alice")
        bob = await V1Client.open(server, "bob")
        await alice.expect("join", user="bob")
        client_id = new_client_id()
        original, _ = await alice.say("lobby", "only once", client_id)
        assert original["client_id"] == client_id
        assert (await bob.recv())["id"] == original["id"]

        # The retry (same text, or even another one) gets the original event back: same id and ts.
        await alice.send({"type": "send", "room": "lobby", "text": "only once",
                          "client_id": client_id})
        assert await alice.recv() == original
        await alice.send({"type": "send", "room": "lobby", "text": "changed",
                          "client_id": client_id})
        assert await alice.recv() == original
        # bob sees none of it, and no id was used up.
        after, _ = await bob.say("lobby", "next")
        assert after["id"] == original["id"] + 1
        assert await alice.recv() == after
        assert [e["type"] for e in bob.received].count("message") == 2

        # Another user, or another room, with the same client_id: a new message.
        theirs, _ = await bob.say("lobby", "bob's own", client_id)
        assert theirs["id"] == after["id"] + 1
        await alice.join("dev")
        elsewhere, _ = await alice.say("dev", "only once", client_id)
        assert elsewhere["room"] == "dev" and elsewhere["id"] == 2
        await close_all(alice, bob)
    run(scenario())
