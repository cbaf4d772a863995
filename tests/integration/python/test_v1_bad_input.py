"""Bad parley.v1 input: each is answered with an `error` event carrying the documented code and
the request's room and client_id, counted in parley_protocol_errors_total{code}; the connection
stays open and nobody else notices. A binary frame closes with 1003."""
import json

import pytest

from conftest import ManagedServer
from metrics_scrape import scrape, value, wait_for_scrape
from parley_client import close_all as close_legacy
from parley_client import connect, greeting, joined, recv, run, sync
from v1_client import REQUEST, V1Client, close_all, schema_problems

METRICS = ("--metrics-enabled", "--metrics-port", "0", "--metrics-bind", "127.0.0.1")
CODES = ["bad_json", "bad_request", "unknown_type", "bad_room", "not_joined", "already_joined",
         "too_many_rooms", "room_limit", "text_too_long", "rate_limited", "history_unavailable",
         "unavailable"]
ANY = object()  # the error may or may not repeat an invalid client_id
ERRORS = "parley_protocol_errors_total"


@pytest.fixture(scope="module")
def shared_server():
    """One server for the table below (each case uses a user of its own): starting one per case
    would cost more than the cases themselves under the sanitizers."""
    server = ManagedServer("--threads", "2", *METRICS)
    server.start()
    yield server
    code = server.proc.poll()
    server.stop()
    assert code is None, f"parley exited with {code} during the bad-input tests"


_users = iter(range(1, 1000))


def fresh_name():
    return f"u{next(_users)}"


def error_counts(samples):
    return {code: value(samples, ERRORS, code=code) for code in CODES}


async def expect_refusal(server, client, frame, code, room=None, client_id=None):
    """Sends frame (a str as is, else as JSON), expects the error event and its count; then the
    connection must still work."""
    before = error_counts(scrape(server))
    text = frame if isinstance(frame, str) else json.dumps(frame)
    try:
        request = json.loads(text)
    except ValueError:
        request = None
    if request is not None and not schema_problems(REQUEST, request):
        await client.send(request)  # well-formed, but refused for what it asks
    else:
        await client.send_invalid(text)
    error = await client.expect("error", code=code)
    assert error["reason"]
    if room is None:
        assert "room" not in error, error
    elif room == "":
        assert error.get("room", "") == "", error  # an empty name is not echoed
    else:
        assert error.get("room") == room, f"the error does not name the request's room: {error}"
    if client_id is None:
        assert "client_id" not in error, error
    elif client_id is not ANY:
        assert error.get("client_id") == client_id, f"the error lacks the client_id: {error}"
    after = error_counts(wait_for_scrape(
        server, lambda s: value(s, ERRORS, code=code) > before[code], f"{ERRORS}{{code={code}}}"))
    assert {c: after[c] - before[c] for c in CODES if after[c] != before[c]} == {code: 1}
    message, others = await client.say("lobby", "still here")
    assert others == [], "something else came after the error"
    return error


MALFORMED = [
    ("not json", "bad_json", None, None),
    ('{"type":"send","room":"lobby","text":"cut', "bad_json", None, None),
    ("[1, 2, 3]", "bad_json", None, None),
    ('"send"', "bad_json", None, None),
    ("null", "bad_json", None, None),
    ("", "bad_json", None, None),
    ({}, "bad_request", None, None),
    ({"room": "lobby", "text": "no type"}, "bad_request", "lobby", None),
    ({"type": 5, "room": "lobby"}, "bad_request", "lobby", None),
    ({"type": "shout", "room": "lobby", "client_id": "c1"}, "unknown_type", "lobby", "c1"),
    ({"type": "SEND", "room": "lobby", "text": "x"}, "unknown_type", "lobby", None),
    ({"type": "send", "room": "lobby"}, "bad_request", "lobby", None),
    ({"type": "send", "room": "lobby", "text": 5, "client_id": "c2"}, "bad_request", "lobby", "c2"),
    ({"type": "send", "room": "lobby", "text": None}, "bad_request", "lobby", None),
    ({"type": "send", "text": "no room", "client_id": "c3"}, "bad_request", None, "c3"),
    ({"type": "send", "room": 7, "text": "hi"}, "bad_request", None, None),
    ({"type": "send", "room": "lobby", "text": "hi", "client_id": ""}, "bad_request", "lobby", ANY),
    ({"type": "send", "room": "lobby", "text": "hi", "client_id": "x" * 65}, "bad_request",
     "lobby", ANY),
    ({"type": "send", "room": "lobby", "text": "hi", "client_id": 5}, "bad_request", "lobby", None),
    ({"type": "history", "room": "lobby", "limit": 0}, "bad_request", "lobby", None),
    ({"type": "history", "room": "lobby", "limit": 101}, "bad_request", "lobby", None),
    ({"type": "history", "room": "lobby", "limit": "5"}, "bad_request", "lobby", None),
    ({"type": "history", "room": "lobby", "limit": 2.5}, "bad_request", "lobby", None),
    ({"type": "history", "room": "lobby", "before": -1}, "bad_request", "lobby", None),
    ({"type": "join", "room": "dev", "since": -1}, "bad_request", "dev", None),
    ({"type": "join", "room": "dev", "since": "3"}, "bad_request", "dev", None),
    ({"type": "leave"}, "bad_request", None, None),
    ({"type": "join", "room": "bad room"}, "bad_room", "bad room", None),
    ({"type": "join", "room": ""}, "bad_room", "", None),
    ({"type": "join", "room": "r" * 65}, "bad_room", "r" * 65, None),
    ({"type": "send", "room": "a/b", "text": "x", "client_id": "c5"}, "bad_room", "a/b", "c5"),
    ({"type": "typing", "room": "café"}, "bad_room", "café", None),
]

REFUSED = [
    ({"type": "send", "room": "dev", "text": "hi", "client_id": "c6"}, "not_joined", "dev", "c6"),
    ({"type": "typing", "room": "dev"}, "not_joined", "dev", None),
    ({"type": "history", "room": "dev"}, "not_joined", "dev", None),
    ({"type": "leave", "room": "dev"}, "not_joined", "dev", None),
    ({"type": "join", "room": "lobby"}, "already_joined", "lobby", None),
    ({"type": "send", "room": "lobby", "text": "x" * 16385, "client_id": "c7"}, "text_too_long",
     "lobby", "c7"),
    ({"type": "send", "room": "lobby", "text": "é" * 8193}, "text_too_long", "lobby", None),
]


@pytest.mark.parametrize("frame, code, room, client_id", MALFORMED + REFUSED,
                         ids=[f"{i}-{case[1]}" for i, case in enumerate(MALFORMED + REFUSED)])
def test_bad_input_is_answered_with_an_error_event_and_counted(shared_server, frame, code, room,
                                                               client_id):
    async def scenario():
        client = await V1Client.open(shared_server, fresh_name())
        await expect_refusal(shared_server, client, frame, code, room, client_id)
        await client.close()
    run(scenario())


def test_text_of_exactly_max_text_bytes_is_said(shared_server):
    async def scenario():
        client = await V1Client.open(shared_server, fresh_name())
        message, _ = await client.say("lobby", "é" * 8192)
        assert len(message["text"].encode()) == 16384
        await client.close()
    run(scenario())


def test_joining_more_rooms_than_allowed_is_refused(start_server):
    server = start_server("--limits-max-rooms-per-connection", "2", *METRICS)

    async def scenario():
        client = await V1Client.open(server, "alice")
        await client.join("r2")
        await expect_refusal(server, client, {"type": "join", "room": "r3"}, "too_many_rooms",
                             "r3")
        await client.close()
    run(scenario())


def test_a_new_room_beyond_max_rooms_is_refused(start_server):
    server = start_server("--limits-max-rooms", "2", *METRICS)

    async def scenario():
        client = await V1Client.open(server, "alice")  # lobby: 1
        await client.join("r2")  # 2
        await expect_refusal(server, client, {"type": "join", "room": "r3"}, "room_limit", "r3")
        bob = await V1Client.open(server, "bob", "room=r2")  # existing rooms still take members
        await close_all(client, bob)
    run(scenario())


def test_a_history_flood_is_rate_limited_and_the_connection_goes_on(start_server):
    server = start_server(*METRICS)

    async def scenario():
        client = await V1Client.open(server, "alice")
        bystander = await V1Client.open(server, "bob")
        await client.expect("join", user="bob")
        before = scrape(server)
        flood = 30
        for _ in range(flood):
            await client.send({"type": "history", "room": "lobby", "limit": 1})
        answers = [await client.recv() for _ in range(flood)]
        kinds = [a["type"] for a in answers]
        served, refused = kinds.count("history"), kinds.count("error")
        assert served + refused == flood, kinds
        # A burst of 10 (limits.history_per_second) is served at once, the rest refused (a slow
        # run may refill a few tokens in between). Refusals may overtake answers: an answer comes
        # from the room, a refusal from the connection.
        assert served >= 10 and refused >= 10, kinds
        for error in (a for a in answers if a["type"] == "error"):
            assert (error["code"], error["room"]) == ("rate_limited", "lobby")
        after = wait_for_scrape(server, lambda s: value(s, ERRORS, code="rate_limited") >= refused,
                                "rate_limited errors counted")
        assert value(after, ERRORS, code="rate_limited") - value(
            before, ERRORS, code="rate_limited") == refused
        await client.say("lobby", "still here")
        assert [e["type"] for e in await bystander.sync("lobby")] == ["message"]
        await close_all(client, bystander)
    run(scenario())


def test_bad_input_harms_nobody_else(shared_server):
    async def scenario():
        bystander = await V1Client.open(shared_server, fresh_name())
        legacy_name = fresh_name()
        legacy = await connect(shared_server, legacy_name)
        assert await recv(legacy) == greeting(legacy_name)
        await bystander.expect("join", user=legacy_name)
        offender = await V1Client.open(shared_server, fresh_name())
        await bystander.expect("join", user=offender.name)
        assert await recv(legacy) == joined(offender.name)
        for frame, code, *_ in MALFORMED + REFUSED:
            if code != "already_joined":
                await offender.ws.send(frame if isinstance(frame, str) else json.dumps(frame))
        errors = [await offender.recv() for _ in range(len(MALFORMED) + len(REFUSED) - 1)]
        assert all(e["type"] == "error" for e in errors)
        await offender.say("lobby", "still here")
        assert [e.get("text") for e in await bystander.sync("lobby")] == ["still here"]
        assert await sync(legacy, legacy_name) == [f"{offender.name}: still here",
                                                   f"{bystander.name}: sync-marker"]
        await close_legacy(legacy)
        await close_all(bystander, offender)
    run(scenario())


def test_a_binary_frame_closes_with_1003_and_the_room_is_told(shared_server):
    async def scenario():
        bystander = await V1Client.open(shared_server, fresh_name())
        client = await V1Client.open(shared_server, fresh_name())
        await bystander.expect("join", user=client.name)
        await client.ws.send(b'{"type":"send","room":"lobby","text":"binary"}')
        assert await client.closed() == (1003, "Binary messages are not supported.")
        await bystander.expect("leave", user=client.name)
        await bystander.close()
    run(scenario())


def test_a_room_left_takes_no_more_requests(shared_server):
    async def scenario():
        client = await V1Client.open(shared_server, fresh_name())
        await client.join("dev")
        await client.leave("dev")
        await expect_refusal(shared_server, client,
                             {"type": "send", "room": "dev", "text": "gone", "client_id": "c8"},
                             "not_joined", "dev", "c8")
        await expect_refusal(shared_server, client, {"type": "leave", "room": "dev"},
                             "not_joined", "dev")
        await client.close()
    run(scenario())
