"""Recovery: `since` replays with no loss or duplicate while the room is busy, `gap` for what is no
longer kept, `reset`, and history and ids across a SIGTERM restart and a `kill -9`."""
import asyncio
import os
import shutil
import signal
import sqlite3

import pytest
import websockets

from parley_client import NO_RATE_LIMIT, run
from v1_client import STORED, V1Client, close_all, coverage, new_client_id

SENDERS = 4
CYCLES = 5


class Observer:
    """A member of a room that reads everything in the background, so the test can wait for an
    event (such as a leave that frees a name) while others keep the room busy."""

    def __init__(self, client):
        self.client = client
        self.changed = asyncio.Condition()
        self.task = asyncio.create_task(self._read())

    async def _read(self):
        while True:
            await self.client.recv(timeout=None)
            async with self.changed:
                self.changed.notify_all()

    async def wait_until(self, condition, timeout=10.0):
        """Waits until condition() holds, checked after each event received."""
        async def check():
            async with self.changed:
                await self.changed.wait_for(lambda: condition() or self.task.done())
            if self.task.done():
                self.task.result()  # raises what stopped the reader
        await asyncio.wait_for(check(), timeout)

    async def wait_for(self, predicate, timeout=10.0):
        """Waits until an event received matches predicate."""
        await self.wait_until(lambda: any(predicate(e) for e in self.client.received), timeout)

    def count(self, predicate):
        return sum(1 for e in self.client.received if predicate(e))

    async def stop(self):
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)
        await self.client.close()


async def keep_sending(client, stop, sent):
    """Says numbered lines in the busy room until stop is set, at most 5 unanswered at a time,
    then an `end` line; every event it gets is checked by V1Client."""
    n = 0
    while not stop.is_set():
        for _ in range(5):
            text = f"{client.name}-{n}"
            sent.append(text)
            await client.send({"type": "send", "room": "busy", "text": text})
            n += 1
        await client.recv_until(lambda e: e["type"] == "message" and e.get("text") == text)
    sent.append(f"{client.name}-end")
    await client.say("busy", f"{client.name}-end")


def test_since_replays_with_no_loss_or_duplicate_while_four_senders_keep_sending(start_server):
    server = start_server("--threads", "2", *NO_RATE_LIMIT)

    async def scenario():
        watcher = await V1Client.open(server, "watcher", "room=busy")
        watching = await V1Client.open(server, "observer", "room=busy")
        await watching.join("side")
        observer = Observer(watching)
        senders = [await V1Client.open(server, f"s{i}", "room=busy") for i in range(SENDERS)]
        sent = {s.name: [] for s in senders}
        stop = asyncio.Event()
        tasks = [asyncio.create_task(keep_sending(s, stop, sent[s.name])) for s in senders]

        seen = []  # the watcher's stored events of the room, across all its connections
        seen.extend(e for e in watcher.joined["busy"]["events"])
        side_visits = 0  # connections of the watcher that were in room side too
        for cycle in range(CYCLES):
            live = 0
            while live < 15 + 7 * cycle:  # a different moment in the traffic each time
                event = await watcher.recv()
                if event["type"] in STORED:
                    seen.append(event)
                    live += 1
            if cycle % 2:
                watcher.ws.transport.abort()  # a network drop
            else:
                await watcher.close()
            last = seen[-1]["id"]
            # The name is free once the others have seen it leave every room it was in.
            await observer.wait_for(lambda e: e["type"] == "leave" and e["user"] == "watcher"
                                    and e["room"] == "busy" and e["id"] > last)
            await observer.wait_until(lambda: side_visits == observer.count(
                lambda e: e["type"] == "leave" and e["user"] == "watcher" and e["room"] == "side"))
            if cycle % 2:  # resume in the URL ...
                watcher = await V1Client.open(server, "watcher", f"room=busy&since={last}")
            else:  # ... or with a join request
                watcher = await V1Client.open(server, "watcher", "room=side")
                side_visits += 1
                await watcher.join("busy", since=last)
            replay = watcher.joined["busy"]
            assert not [e for e in replay["events"] if e["type"] == "gap"], replay
            coverage(replay["events"], last, replay["last_id"])
            seen.extend(replay["events"])

        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), 10)
        ends = {f"{s.name}-end" for s in senders}
        while ends:
            event = await watcher.recv()
            if event["type"] in STORED:
                seen.append(event)
                ends.discard(event.get("text"))

        ids = [e["id"] for e in seen]
        assert ids == list(range(1, ids[-1] + 1)), "lost or doubled ids across the seams"
        for name, texts in sent.items():
            got = [e["text"] for e in seen if e["type"] == "message" and e["from"] == name]
            assert got == texts, f"{name}'s lines as the watcher saw them"
        assert sum(len(t) for t in sent.values()) > SENDERS * 10
        await observer.stop()
        await close_all(watcher, *senders)
    run(scenario())


@pytest.mark.parametrize("engine", ["memory", "sqlite"])
def test_a_since_older_than_history_gets_a_gap_then_what_is_kept(start_server, engine):
    # The sqlite engine is the default (the harness gives it a fresh folder).
    engine_args = ("--storage-engine", "memory") if engine == "memory" else ()
    server = start_server(*engine_args, "--history-max-events", "10", *NO_RATE_LIMIT)

    async def scenario():
        alice = await V1Client.open(server, "alice")  # id 1
        for i in range(30):
            await alice.send({"type": "send", "room": "lobby", "text": f"m{i}"})  # ids 2..31
        await alice.wait_for("message", text="m29")
        bob = await V1Client.open(server, "bob", "since=1")
        events = bob.joined["lobby"]["events"]
        coverage(events, 1, 32)
        assert events[0] == {"type": "gap", "room": "lobby", "from": 2, "to": 21}, events[:2]
        assert [e["id"] for e in events[1:]] == list(range(22, 33))

        # Paging back stops at what is kept.
        await bob.send({"type": "history", "room": "lobby", "before": 22})
        older = await bob.expect("history", room="lobby")
        assert [e for e in older["events"] if e["type"] != "gap"] == []
        await close_all(alice, bob)
    run(scenario())


def test_a_replay_beyond_max_replay_is_a_gap_that_history_pages_through(start_server):
    server = start_server("--history-max-replay", "5")

    async def scenario():
        alice = await V1Client.open(server, "alice")  # id 1
        for i in range(20):
            await alice.send({"type": "send", "room": "lobby", "text": f"m{i}"})  # ids 2..21
        await alice.wait_for("message", text="m19")
        bob = await V1Client.open(server, "bob", "since=1")
        events = bob.joined["lobby"]["events"]
        coverage(events, 1, 22)
        assert events[0] == {"type": "gap", "room": "lobby", "from": 2, "to": 16}
        await bob.send({"type": "history", "room": "lobby", "before": 17, "limit": 100})
        page = await bob.expect("history", room="lobby")
        assert [e["id"] for e in page["events"]] == list(range(1, 17))
        assert [e["text"] for e in page["events"][1:]] == [f"m{i}" for i in range(15)]
        await close_all(alice, bob)
    run(scenario())


def test_a_since_beyond_the_last_id_after_a_memory_restart_is_a_reset(start_server):
    server = start_server("--storage-engine", "memory")

    async def scenario(server, since):
        alice = await V1Client.open(server, "alice", f"since={since}" if since else None)
        for i in range(5):
            await alice.say("lobby", f"m{i}")
        joined = alice.joined["lobby"]
        await alice.close()
        return joined

    first = run(scenario(server, None))
    assert "reset" not in first
    assert server.terminate() == 0
    again = start_server("--storage-engine", "memory")
    joined = run(scenario(again, 6))
    assert joined["reset"] is True
    assert joined["last_id"] == 1 and len(joined["events"]) == 1


# ---------------------------------------------------------------- restarts


def test_a_sigterm_restart_keeps_history_and_ids_continue_without_a_jump(start_server, tmp_path):
    storage = ("--storage-path", str(tmp_path))
    server = start_server(*storage)

    async def before_restart():
        alice = await V1Client.open(server, "alice")
        bob = await V1Client.open(server, "bob", "age=20")
        for i in range(10):
            await (alice if i % 2 else bob).say("lobby", f"m{i}")  # alice says the last
        return alice, bob

    async def stop_and_collect():
        alice, bob = await before_restart()
        closing = asyncio.ensure_future(alice.closed(10))
        code = await asyncio.get_running_loop().run_in_executor(None, server.terminate)
        assert code == 0
        assert await closing == (1001, "Server is shutting down.")
        await close_all(bob)
        return alice.last_id["lobby"], dict(alice.by_id)

    last_seen, seen = run(stop_and_collect())
    again = start_server(*storage)

    async def after_restart():
        alice = await V1Client.open(again, "alice", f"since={last_seen}")
        replay = alice.joined["lobby"]
        assert not [e for e in replay["events"] if e["type"] == "gap"], replay
        coverage(replay["events"], last_seen, replay["last_id"])
        # Only the leaves of the shutdown came after what alice saw (at least her own), then her
        # own join.
        missed = [(e["type"], e["user"]) for e in replay["events"][:-1]]
        assert ("leave", "alice") in missed
        assert set(missed) <= {("leave", "alice"), ("leave", "bob")}
        carol = await V1Client.open(again, "carol")
        for event in carol.joined["lobby"]["events"]:
            if (event["room"], event["id"]) in seen:
                assert event == seen[(event["room"], event["id"])], "history changed over a restart"
        assert sum(1 for key in seen if key in {("lobby", e["id"]) for e in
                                                carol.joined["lobby"]["events"]}) == len(seen)
        await alice.send({"type": "history", "room": "lobby", "before": last_seen + 1,
                          "limit": 100})
        page, _ = await alice.wait_for("history", room="lobby")
        assert [e for e in page["events"] if e["type"] in STORED] == [
            seen[("lobby", i)] for i in range(1, last_seen + 1)]
        await close_all(alice, carol)
    run(after_restart())


def test_a_client_id_retry_after_a_restart_is_acknowledged_not_said_again(start_server, tmp_path):
    storage = ("--storage-path", str(tmp_path))
    server = start_server(*storage, *NO_RATE_LIMIT)
    client_id = new_client_id()

    async def first_attempt():
        alice = await V1Client.open(server, "alice")
        original, _ = await alice.say("lobby", "exactly once", client_id)
        # More than a join's recent history (history.on_join) after it, far fewer than memory
        # keeps (history.memory_events): the retry still counts.
        for i in range(60):
            await alice.send({"type": "send", "room": "lobby", "text": f"later {i}"})
        await alice.wait_for("message", text="later 59")
        await alice.close()
        return original

    original = run(first_attempt())
    assert server.terminate() == 0
    again = start_server(*storage)

    async def retry():
        bob = await V1Client.open(again, "bob")
        alice = await V1Client.open(again, "alice")
        await bob.expect("join", user="alice")
        await alice.send({"type": "send", "room": "lobby", "text": "exactly once",
                          "client_id": client_id})
        answer = await alice.recv()
        assert answer == original, "the retry was said again instead of acknowledged"
        assert await bob.sync("lobby") == []
        await close_all(alice, bob)
    run(retry())


def copy_database(folder, into):
    """Copies parley.db and its write-ahead log, as a crashed server left them."""
    os.makedirs(into)
    for name in os.listdir(folder):
        if name.startswith("parley.db"):
            shutil.copy(os.path.join(folder, name), os.path.join(into, name))
    return os.path.join(into, "parley.db")


def test_kill_9_never_repeats_an_id_and_leaves_a_readable_database(start_server, tmp_path):
    folder = tmp_path / "data"
    storage = ("--storage-path", str(folder))
    server = start_server(*storage, *NO_RATE_LIMIT)

    async def until_killed():
        alice = await V1Client.open(server, "alice")
        # A burst, killed in the middle: the last batch may be lost, nothing else.
        for i in range(200):
            await alice.send({"type": "send", "room": "lobby", "text": f"m{i}"})
        await alice.wait_for("message", text="m99")
        await asyncio.get_running_loop().run_in_executor(None, server.signal, signal.SIGKILL)
        with pytest.raises(websockets.ConnectionClosed):  # it dies with the server
            while True:
                await alice.recv()
        return alice.last_id["lobby"], dict(alice.by_id)

    last_seen, seen = run(until_killed())
    assert last_seen >= 101

    database = copy_database(folder, tmp_path / "copy")
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        stored = db.execute("SELECT e.id, e.user, e.text FROM events e JOIN rooms r"
                            " ON r.id = e.room WHERE r.name = 'lobby' ORDER BY e.id").fetchall()
        reserved = db.execute("SELECT reserved_until FROM rooms WHERE name = 'lobby'").fetchone()[0]
    assert [row[0] for row in stored] == list(range(1, len(stored) + 1))
    for id_, user, text in stored:
        # Stored as sequenced: alice's join, then m0, m1, ... (alice may not have received the
        # newest ones before the kill).
        assert (user, text if id_ > 1 else None) == ("alice", f"m{id_ - 2}" if id_ > 1 else None)
        if ("lobby", id_) in seen:
            assert text == seen[("lobby", id_)].get("text")
    assert reserved > last_seen

    again = start_server(*storage)

    async def after_restart():
        bob = await V1Client.open(again, "bob", f"since={last_seen}")
        replay = bob.joined["lobby"]
        assert replay["last_id"] > last_seen + 1
        coverage(replay["events"], last_seen, replay["last_id"])
        # The ids reserved but never used are a gap right before bob's own join.
        jump = replay["events"][-2]
        assert jump["type"] == "gap" and jump["to"] == replay["last_id"] - 1, replay["events"]
        # From the start: what survived is what was said, ids in order, gaps where lost.
        carol = await V1Client.open(again, "carol", "since=0")
        events = carol.joined["lobby"]["events"]
        coverage(events, 0, carol.joined["lobby"]["last_id"])
        for event in events:
            if event["type"] in STORED and event["id"] <= last_seen:
                assert event == seen[("lobby", event["id"])]
        # A plain join's recent history has the jump as a gap too.
        dave = await V1Client.open(again, "dave")
        assert any(e["type"] == "gap" for e in dave.joined["lobby"]["events"])
        said, _ = await bob.say("lobby", "after the crash")
        assert said["id"] > last_seen
        await close_all(bob, carol, dave)
    run(after_restart())
