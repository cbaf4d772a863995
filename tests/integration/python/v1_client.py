"""A parley.v1 client for the integration tests (not a test file itself).

Every frame it receives is checked against docs/protocol.schema.json (as an event) and every
request it sends (as a request), with python3-jsonschema, so every test that uses it checks that
the traffic is schema-valid. It also checks what the schema cannot say:

* `ts` is a real UTC time with milliseconds, close to now;
* per room, the stored events (message, join, leave) arriving live carry consecutive ids, each
  the previous id + 1, starting after `joined.last_id`: a lost or doubled event fails the test
  at once. The one repeat allowed is the answer to a `client_id` retry, which must be the
  original event itself;
* the events of a `joined` or `history` account for every id from their first to their last,
  with a `gap` wherever ids jump.

Every wait has a timeout; nothing sleeps to synchronise.
"""
import asyncio
import datetime
import itertools
import json
import os

import jsonschema
import websockets

from parley_client import WAIT, chat_url, track

SUBPROTOCOL = "parley.v1"
STORED = ("message", "join", "leave")

_SCHEMA_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "docs",
                            "protocol.schema.json")
with open(_SCHEMA_FILE, encoding="utf-8") as _file:
    SCHEMA = json.load(_file)


def _validator(definition):
    """A validator for one of the schema's $defs, resolving references within the whole file."""
    schema = dict(SCHEMA)
    schema.pop("anyOf")
    schema["$ref"] = f"#/$defs/{definition}"
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


EVENT = _validator("event")
REQUEST = _validator("request")
# Each event's own definition, by its type: the same verdict as EVENT's oneOf for a known type
# (the types are distinct constants), several times faster, which busy tests need.
EVENT_BY_TYPE = {kind: _validator(kind) for kind in
                 ("hello", "joined", "message", "join", "leave", "typing", "history", "error")}


def schema_problems(validator, value):
    return [error.message for error in validator.iter_errors(value)]


def assert_event(value):
    kind = value.get("type") if isinstance(value, dict) else None
    problems = schema_problems(EVENT_BY_TYPE.get(kind, EVENT), value)
    assert not problems, f"server sent a frame the schema refuses: {value!r}: {problems}"
    for event in [value, *value.get("events", [])]:
        if "ts" in event:
            check_ts(event["ts"])


def assert_request(value):
    problems = schema_problems(REQUEST, value)
    assert not problems, f"test sends a request the schema refuses: {value!r}: {problems}"


def check_ts(text, slack_s=300):
    """ts is ISO 8601 UTC with milliseconds (the schema's pattern) and a real time near now."""
    when = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc)
    now = datetime.datetime.now(datetime.timezone.utc)
    assert abs((now - when).total_seconds()) < slack_s, f"ts {text} is not near now ({now})"


def parse_ts(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ")


def coverage(events, since, last_id):
    """Checks that a replay (joined.events after `since`, ending at last_id) accounts for every id
    from since+1 to last_id exactly once, as an event or inside a gap, in order. Returns the ids
    of the stored events in it."""
    expected = since + 1
    ids = []
    for event in events:
        if event["type"] == "gap":
            assert event["from"] == expected, f"gap from {event['from']}, not {expected}: {events}"
            assert event["to"] >= event["from"], event
            expected = event["to"] + 1
        else:
            assert event["id"] == expected, f"id {event['id']} where {expected} was due: {events}"
            ids.append(event["id"])
            expected += 1
    assert expected == last_id + 1, f"replay ends at {expected - 1}, last_id is {last_id}"
    return ids


_client_ids = itertools.count(1)


def new_client_id(prefix="c"):
    return f"{prefix}-{os.getpid()}-{next(_client_ids)}"


class V1Client:
    """One parley.v1 connection. Use `V1Client.open(...)`; `received` keeps every event."""

    def __init__(self, ws, name):
        self.ws = ws
        self.name = name
        self.received = []  # every event, in arrival order
        self.hello = None
        self.joined = {}  # room -> its latest joined event
        self.last_id = {}  # room -> newest id seen live (rooms this client is in)
        self.by_id = {}  # (room, id) -> the stored event received with that id

    @classmethod
    async def open(cls, server, name, query=None, subprotocols=(SUBPROTOCOL,), room=None,
                   **options):
        """Connects as `name` (a URL path segment), checks the negotiated subprotocol, the hello
        and the joined of the URL's room (default lobby); returns the client. options go to
        websockets.connect (e.g. local_addr)."""
        ws = await cls.connect_raw(server, name, query, subprotocols, **options)
        assert ws.subprotocol == SUBPROTOCOL, f"server chose {ws.subprotocol!r}"
        client = cls(ws, name)
        client.hello = await client.recv()
        assert client.hello["type"] == "hello", client.hello
        assert client.hello["user"] == name
        joined = await client.recv()
        assert joined["type"] == "joined", joined
        assert joined["room"] == (room or room_from_query(query) or "lobby")
        return client

    @staticmethod
    async def connect_raw(server, name, query=None, subprotocols=(SUBPROTOCOL,), **options):
        if getattr(server, "ssl_context", None) is not None:
            options.setdefault("ssl", server.ssl_context)
        return track(await websockets.connect(
            chat_url(server, name, query), subprotocols=list(subprotocols) or None,
            open_timeout=WAIT, close_timeout=WAIT, compression=None, ping_interval=None,
            max_size=None, max_queue=None, **options))

    # ------------------------------------------------------------ receiving

    async def recv(self, timeout=WAIT):
        """The next event (checked against the schema and the id sequence)."""
        frame = await asyncio.wait_for(self.ws.recv(), timeout)
        assert isinstance(frame, str), f"server sent a binary frame: {frame!r}"
        event = json.loads(frame)
        assert_event(event)
        self._track(event)
        self.received.append(event)
        return event

    def _track(self, event):
        kind = event["type"]
        room = event.get("room")
        if kind in ("joined", "history") and event["events"]:
            # Replayed events account for every id between the first and the last, with a gap
            # wherever ids jump.
            events = event["events"]
            first = events[0].get("id", events[0].get("from"))
            last = events[-1].get("id", events[-1].get("to"))
            coverage(events, first - 1, last)
        if kind == "joined":
            self.joined[room] = event
            self.last_id[room] = event["last_id"]
            for e in event["events"]:
                if e["type"] in STORED:
                    assert e["room"] == room, event
                    self.by_id[(room, e["id"])] = e
            assert event["events"][-1]["type"] == "join", event
            assert event["events"][-1]["id"] == event["last_id"], event
            assert event["events"][-1]["user"] == self.name, event
            assert self.name in event["users"], event
        elif kind in STORED and room in self.last_id:
            seen = self.by_id.get((room, event["id"]))
            if seen is None and kind == "message" and "client_id" in event \
                    and event["from"] == self.name and event["id"] <= self.last_id[room]:
                # The acknowledgement of a retry: the original message, sent before this client
                # joined (e.g. before a restart).
                self.by_id[(room, event["id"])] = event
                return
            if seen is not None:
                assert kind == "message" and "client_id" in event and seen == event, (
                    f"{self.name} got id {event['id']} of {room} twice: {seen} then {event}")
                return
            assert event["id"] == self.last_id[room] + 1, (
                f"{self.name} in {room}: id {event['id']} after {self.last_id[room]}: {event}")
            self.last_id[room] = event["id"]
            self.by_id[(room, event["id"])] = event

    async def recv_until(self, predicate, timeout=WAIT):
        """Receives until predicate(event); returns (that event, the events before it)."""
        before = []
        while True:
            event = await self.recv(timeout)
            if predicate(event):
                return event, before
            before.append(event)

    async def expect(self, kind, timeout=WAIT, **fields):
        """The next event must be of type `kind` with these field values; returns it."""
        event = await self.recv(timeout)
        assert event["type"] == kind, f"{self.name} expected {kind} {fields}, got {event}"
        for key, value in fields.items():
            assert event.get(key) == value, f"{self.name}: {key} of {event} is not {value!r}"
        return event

    async def wait_for(self, kind, timeout=WAIT, **fields):
        """Receives until an event of type `kind` with these fields; returns (it, events before)."""
        return await self.recv_until(
            lambda e: e["type"] == kind and all(e.get(k) == v for k, v in fields.items()),
            timeout)

    # ------------------------------------------------------------ sending

    async def send(self, request):
        """Sends a schema-valid request."""
        assert_request(request)
        await self.ws.send(json.dumps(request))

    async def send_invalid(self, frame):
        """Sends a frame the schema refuses (a str is sent as is, anything else as JSON)."""
        text = frame if isinstance(frame, str) else json.dumps(frame)
        try:
            value = json.loads(text)
        except ValueError:
            value = None
        if value is not None:
            assert schema_problems(REQUEST, value), f"{text} is a valid request after all"
        await self.ws.send(text)

    async def say(self, room, text, client_id=None):
        """Sends a message and waits for its own event; returns (message, events before it)."""
        request = {"type": "send", "room": room, "text": text}
        if client_id is not None:
            request["client_id"] = client_id
        await self.send(request)
        return await self.recv_until(lambda e: e["type"] == "message" and e["room"] == room
                                     and e["from"] == self.name and e["text"] == text)

    async def sync(self, room, marker="sync-marker"):
        """Says a marker and returns every event received before its echo: a barrier, since the
        room has one order."""
        _, before = await self.say(room, marker)
        return before

    async def join(self, room, since=None):
        """Joins a room; returns its joined event (events of other rooms before it are kept in
        `received`)."""
        request = {"type": "join", "room": room}
        if since is not None:
            request["since"] = since
        await self.send(request)
        joined, _ = await self.wait_for("joined", room=room)
        return joined

    async def leave(self, room):
        self.last_id.pop(room, None)
        await self.send({"type": "leave", "room": room})

    async def close(self):
        await self.ws.close()

    async def closed(self, timeout=WAIT):
        """Receives (and checks) events until the server closes; returns (code, reason)."""
        async def drain():
            try:
                while True:
                    await self.recv(timeout=None)
            except websockets.ConnectionClosed:
                pass
            await self.ws.wait_closed()
        await asyncio.wait_for(drain(), timeout)
        return self.ws.close_code, self.ws.close_reason


def room_from_query(query):
    for pair in (query or "").split("&"):
        key, _, value = pair.partition("=")
        if key == "room" and value:
            return value
    return None


async def open_all(server, *names, query=None):
    return [await V1Client.open(server, name, query) for name in names]


async def close_all(*clients):
    await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
