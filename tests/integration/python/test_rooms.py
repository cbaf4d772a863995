"""Rooms: names, isolation, the URL's room=, legacy and parley.v1 clients sharing a room,
usernames unique across rooms, and limits.max_rooms_per_connection."""
import pytest

from parley_client import close_all as close_legacy
from parley_client import closed, connect, greeting, joined, left, recv, run, said, sync
from v1_client import V1Client, close_all

LONGEST = "r" * 64
ROOM_CHARS = "AZaz09-_."


async def legacy_join(server, name, query=None):
    ws = await connect(server, name, query)
    assert await recv(ws) == greeting(name)
    return ws


@pytest.mark.parametrize("room", ["lobby", "dev", LONGEST, ROOM_CHARS, "1", "..."])
def test_valid_room_names_are_joined_by_either_protocol(server, room):
    async def scenario():
        alice = await V1Client.open(server, "alice", f"room={room}")
        assert alice.joined[room]["users"] == ["alice"]
        bob = await legacy_join(server, "bob", f"room={room}")
        await alice.expect("join", room=room, user="bob")
        await close_legacy(bob)
        await alice.close()
    run(scenario())


@pytest.mark.parametrize("room, reason", [
    ("r" * 65, "Invalid room: must be 1 to 64 characters."),
    ("a%20b", "Invalid room: only letters, digits, '-', '_' and '.' are allowed."),
    ("a%2Fb", "Invalid room: only letters, digits, '-', '_' and '.' are allowed."),
    ("caf%C3%A9", "Invalid room: only letters, digits, '-', '_' and '.' are allowed."),
    ("a%00", "Invalid room: only letters, digits, '-', '_' and '.' are allowed."),
    ("a+b", "Invalid room: only letters, digits, '-', '_' and '.' are allowed."),
])
@pytest.mark.parametrize("v1", [False, True], ids=["legacy", "v1"])
def test_a_bad_room_in_the_url_is_closed_with_1008_and_a_reason(server, room, reason, v1):
    async def scenario():
        if v1:
            ws = await V1Client.connect_raw(server, "alice", f"room={room}")
        else:
            ws = await connect(server, "alice", f"room={room}")
        code, why, messages = await closed(ws)
        assert (code, why, messages) == (1008, reason, [])
        # Nothing was created, and the name is still free.
        alice = await V1Client.open(server, "alice")
        assert alice.joined["lobby"]["last_id"] == 1
        await alice.close()
    run(scenario())


def test_an_empty_room_in_the_url_means_the_lobby(server):
    async def scenario():
        alice = await V1Client.open(server, "alice", "room=", room="lobby")
        bob = await legacy_join(server, "bob", "room=")
        await alice.expect("join", room="lobby", user="bob")
        await close_legacy(bob)
        await alice.close()
    run(scenario())


def test_two_rooms_are_isolated_from_each_other(server):
    async def scenario():
        alice = await V1Client.open(server, "alice")  # lobby
        bob = await V1Client.open(server, "bob", "room=dev")
        carol = await legacy_join(server, "carol", "room=dev")
        dave = await legacy_join(server, "dave")  # lobby
        await alice.expect("join", room="lobby", user="dave")
        await bob.expect("join", room="dev", user="carol")
        # Each room counts its own ids from 1.
        assert alice.joined["lobby"]["last_id"] == 1 and bob.joined["dev"]["last_id"] == 1

        await alice.say("lobby", "lobby only")
        await bob.say("dev", "dev only")
        await carol.send("carol in dev")
        await dave.send("dave in lobby")
        assert await recv(dave) == said("alice", "lobby only")
        assert await recv(carol) == said("bob", "dev only")
        assert await recv(dave) == said("dave", "dave in lobby")
        assert await recv(carol) == said("carol", "carol in dev")
        assert [e.get("text") for e in await alice.sync("lobby")] == ["dave in lobby"]
        assert [e.get("text") for e in await bob.sync("dev")] == ["carol in dev"]
        assert all(e.get("room") == "lobby" for e in alice.received[1:])
        assert all(e.get("room") == "dev" for e in bob.received[1:])
        await close_legacy(carol, dave)
        await close_all(alice, bob)
    run(scenario())


def test_legacy_and_v1_clients_in_one_room_see_each_other(server):
    async def scenario():
        carol = await legacy_join(server, "carol", "room=dev")
        alice = await V1Client.open(server, "alice", "age=30&room=dev")
        assert await recv(carol) == joined("alice", 30)
        assert sorted(alice.joined["dev"]["users"]) == ["alice", "carol"]
        legacy_join_event = alice.joined["dev"]["events"][0]
        assert (legacy_join_event["type"], legacy_join_event["user"]) == ("join", "carol")

        dave = await legacy_join(server, "dave", "age=41&room=dev")
        await alice.expect("join", room="dev", user="dave", age=41)
        assert await recv(carol) == joined("dave", 41)

        await alice.say("dev", "hi from v1")
        assert await recv(carol) == "alice: hi from v1"
        assert await recv(dave) == "alice: hi from v1"
        await carol.send("hi from legacy")
        message = await alice.expect("message", room="dev", text="hi from legacy")
        assert message["from"] == "carol" and "client_id" not in message
        assert await recv(carol) == "carol: hi from legacy"
        assert await recv(dave) == "carol: hi from legacy"

        await close_legacy(dave)
        await alice.expect("leave", room="dev", user="dave")
        assert await recv(carol) == left("dave")
        # A v1 member's join, leave request, and close reach legacy clients as the tutorial's lines.
        await alice.join("lobby")
        await alice.leave("dev")
        assert await recv(carol) == left("alice")
        await alice.join("dev")
        assert await recv(carol) == joined("alice", 30)
        await alice.close()
        assert await recv(carol) == left("alice")
        assert await sync(carol, "carol") == []
        await close_legacy(carol)
    run(scenario())


def test_the_lobby_legacy_chat_is_byte_exact_with_v1_members_around(server):
    async def scenario():
        alice = await legacy_join(server, "alice")
        bob = await V1Client.open(server, "bob")
        assert await recv(alice) == "bob connected to chat"
        await bob.say("lobby", 'quote " and \\ and ✓')
        assert await recv(alice) == 'bob: quote " and \\ and ✓'
        await bob.send({"type": "typing", "room": "lobby"})
        await bob.join("dev")
        await bob.say("dev", "not for the lobby")
        await bob.close()
        assert await recv(alice) == "bob left the chat"
        assert await sync(alice, "alice") == []
        await close_legacy(alice)
    run(scenario())


@pytest.mark.parametrize("first_v1, second_v1", [(True, False), (False, True), (True, True)],
                         ids=["v1-then-legacy", "legacy-then-v1", "v1-then-v1"])
def test_usernames_are_unique_on_the_server_across_rooms(server, first_v1, second_v1):
    async def scenario():
        if first_v1:
            holder = await V1Client.open(server, "alice", "room=dev")
            await holder.join("other")
        else:
            holder = await legacy_join(server, "alice", "room=dev")
        watcher = await V1Client.open(server, "bob", "room=elsewhere")
        if second_v1:
            ws = await V1Client.connect_raw(server, "alice", "room=elsewhere")
        else:
            ws = await connect(server, "alice", "room=elsewhere")
        code, reason, messages = await closed(ws)
        assert (code, reason, messages) == (1003, "Username already exists.", [])
        # The refused duplicate never joined: the watcher in its room saw nothing.
        assert await watcher.sync("elsewhere") == []
        # Free again once its holder has left (the others have seen it leave every room).
        rooms = ["dev", "other"] if first_v1 else ["dev"]
        for room in rooms:
            await watcher.join(room)
        if first_v1:
            await holder.close()
        else:
            await close_legacy(holder)
        pending = set(rooms)  # rooms have no order between them
        while pending:
            event = await watcher.recv()
            if event["type"] == "leave" and event["user"] == "alice":
                pending.discard(event["room"])
        again = await V1Client.open(server, "alice", "room=elsewhere")
        await watcher.wait_for("join", room="elsewhere", user="alice")
        await close_all(again, watcher)
    run(scenario())


def test_a_connection_is_in_at_most_max_rooms_per_connection_rooms(start_server):
    server = start_server("--limits-max-rooms-per-connection", "3")

    async def scenario():
        alice = await V1Client.open(server, "alice")
        await alice.join("r1")
        await alice.join("r2")
        await alice.send({"type": "join", "room": "r3"})
        refusal = await alice.expect("error", code="too_many_rooms", room="r3")
        assert refusal["reason"]
        await alice.leave("r1")
        joined_r3 = await alice.join("r3")
        assert joined_r3["users"] == ["alice"]
        await alice.say("r3", "in three rooms again")
        await alice.close()
    run(scenario())


@pytest.mark.parametrize("v1", [False, True], ids=["legacy", "v1"])
def test_a_refused_duplicate_creates_no_room_and_uses_up_no_room_limit(start_server, v1):
    server = start_server("--limits-max-rooms", "2")

    async def scenario():
        alice = await V1Client.open(server, "alice")  # the lobby: room 1 of 2
        if v1:
            ws = await V1Client.connect_raw(server, "alice", "room=ghost")
        else:
            ws = await connect(server, "alice", "room=ghost")
        assert (await closed(ws))[:2] == (1003, "Username already exists.")
        # Room 2 of 2 is still free.
        bob = await legacy_join(server, "bob", "room=real")
        await close_legacy(bob)
        await alice.close()
    run(scenario())


def test_a_new_room_beyond_max_rooms_closes_a_legacy_client_with_1008(start_server):
    server = start_server("--limits-max-rooms", "1")

    async def scenario():
        alice = await V1Client.open(server, "alice")  # the lobby: the only room
        ws = await connect(server, "bob", "room=other")
        assert await closed(ws) == (1008, "The server cannot hold more rooms.", [])
        carol = await legacy_join(server, "carol")  # the lobby still takes members
        await alice.expect("join", user="carol")
        await close_legacy(carol)
        await alice.close()
    run(scenario())


def test_a_v1_client_whose_url_room_is_refused_stays_connected_and_can_join_another(
        start_server):
    server = start_server("--limits-max-rooms", "1")

    async def scenario():
        alice = await V1Client.open(server, "alice")  # the lobby: the only room
        bob = V1Client(await V1Client.connect_raw(server, "bob", "room=other"), "bob")
        await bob.expect("hello", user="bob")
        await bob.expect("error", code="room_limit", room="other")
        joined = await bob.join("lobby")
        assert sorted(joined["users"]) == ["alice", "bob"]
        await close_all(alice, bob)
    run(scenario())


def test_a_connection_in_no_room_still_holds_its_name(server):
    async def scenario():
        alice = await V1Client.open(server, "alice")
        await alice.leave("lobby")
        ws = await V1Client.connect_raw(server, "alice", "room=dev")
        assert (await closed(ws))[:2] == (1003, "Username already exists.")
        joined = await alice.join("dev")  # and can join again
        assert joined["users"] == ["alice"]
        await alice.close()
    run(scenario())
