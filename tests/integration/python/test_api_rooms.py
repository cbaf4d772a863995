"""GET /api/rooms and /api/rooms/{room}: the rooms with members or history, who is online in
each and its last id; 404 for a room that does not exist."""
import json
import time

from parley_client import close_all as close_legacy
from parley_client import connect, greeting, http_request, recv, run
from v1_client import V1Client, close_all

WAIT = 5.0


def get_json(server, path):
    response = http_request(server, "GET", path)
    assert response.status == 200, (path, response.status, response.body)
    assert response.headers.get("content-type", "").startswith("application/json")
    return json.loads(response.body)


def rooms(server):
    return sorted(get_json(server, "/api/rooms")["rooms"], key=lambda r: r["room"])


def room_when(server, name, predicate):
    """GET /api/rooms/{name} until predicate(answer): presence is published once per loop turn,
    so an answer may trail a join by that turn."""
    deadline = time.monotonic() + WAIT
    while True:
        answer = get_json(server, f"/api/rooms/{name}")
        if predicate(answer):
            return answer
        assert time.monotonic() < deadline, f"/api/rooms/{name} stayed at {answer}"
        time.sleep(0.01)  # polling an HTTP endpoint, not synchronising with the server


def test_a_fresh_server_lists_no_rooms(server):
    assert get_json(server, "/api/rooms") == {"rooms": []}


def test_rooms_list_members_online_and_last_id(server):
    async def scenario():
        alice = await V1Client.open(server, "alice")  # lobby 1
        await alice.join("dev")  # dev 1
        bob = await connect(server, "bob")  # lobby 2
        assert await recv(bob) == greeting("bob")
        await alice.expect("join", room="lobby", user="bob")
        carol = await V1Client.open(server, "carol", "room=dev")  # dev 2
        await alice.say("dev", "hi")  # dev 3
        await carol.wait_for("message", room="dev", text="hi")

        assert rooms(server) == [{"room": "dev", "online": 2, "last_id": 3},
                                 {"room": "lobby", "online": 2, "last_id": 2}]
        lobby = room_when(server, "lobby", lambda r: len(r["users"]) == 2)
        assert sorted(lobby.pop("users")) == ["alice", "bob"]
        assert lobby == {"room": "lobby", "online": 2, "last_id": 2}
        dev = room_when(server, "dev", lambda r: len(r["users"]) == 2)
        assert sorted(dev["users"]) == ["alice", "carol"]

        await close_legacy(bob)
        await alice.expect("leave", room="lobby", user="bob")  # lobby 3
        lobby = room_when(server, "lobby", lambda r: r["users"] == ["alice"])
        assert (lobby["online"], lobby["last_id"]) == (1, 3)
        await close_all(alice, carol)
    run(scenario())


def test_a_room_without_members_is_listed_while_it_has_history(server):
    async def scenario():
        alice = await V1Client.open(server, "alice", "room=quiet")
        await alice.say("quiet", "anyone?")
        await alice.close()
    run(scenario())
    answer = room_when(server, "quiet", lambda r: r["users"] == [])
    assert answer == {"room": "quiet", "online": 0, "last_id": 3, "users": []}
    assert rooms(server) == [{"room": "quiet", "online": 0, "last_id": 3}]


def test_rooms_with_history_are_listed_after_a_restart(start_server, tmp_path):
    storage = ("--storage-path", str(tmp_path))
    server = start_server(*storage)

    async def scenario():
        alice = await V1Client.open(server, "alice", "room=kept")
        await alice.say("kept", "remember me")
        await alice.close()
    run(scenario())
    room_when(server, "kept", lambda r: r["last_id"] == 3)
    assert server.terminate() == 0
    again = start_server(*storage)
    assert rooms(again) == [{"room": "kept", "online": 0, "last_id": 3}]


def test_an_unknown_or_invalid_room_is_404(server):
    async def scenario():
        alice = await V1Client.open(server, "alice")
        for path in ["/api/rooms/nope", "/api/rooms/bad%20name", "/api/rooms/" + "r" * 65,
                     "/api/rooms/", "/api/rooms/lobby/extra"]:
            assert http_request(server, "GET", path).status == 404, path
        assert http_request(server, "GET", "/api/rooms/lobby").status == 200
        await alice.close()
    run(scenario())
