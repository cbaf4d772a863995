"""What rooms and history tell an operator: the metrics of rooms, stored events, history reads by
source, replay sizes, gaps, protocol errors and the store's batches, and the spans of a join with
its replay and of a storage batch."""
import asyncio

import pytest

from metrics_scrape import scrape, value, wait_for_scrape
from otlp_receiver import OtlpReceiver, attributes
from parley_client import NO_RATE_LIMIT, run
from v1_client import V1Client, close_all

METRICS = ("--metrics-enabled", "--metrics-port", "0", "--metrics-bind", "127.0.0.1")
# Memory holds 4 events per room and 8 are retained, so a replay from the first id reads the store
# and starts with a gap.
SMALL_HISTORY = ("--history-memory-events", "4", "--history-max-events", "8")
SPAN_WAIT = 20.0


@pytest.fixture
def collector():
    with OtlpReceiver() as receiver:
        yield receiver


def test_rooms_history_replays_gaps_errors_and_the_store_are_counted_and_traced(
        start_server, collector):
    server = start_server("--threads", "2", *METRICS, *SMALL_HISTORY, *NO_RATE_LIMIT,
                          "--tracing-enabled", "--tracing-endpoint", collector.url)

    async def scenario():
        alice = await V1Client.open(server, "alice")  # id 1: her join
        for i in range(10):  # ids 2..11
            await alice.say("lobby", f"m{i}")
        # Ids 4..11 are retained; 2 and 3 are a gap; once written, memory keeps only the newest 4.
        await asyncio.to_thread(
            wait_for_scrape, server,
            lambda s: value(s, "parley_storage_events_written_total") >= 11, "11 events written")
        bob = await V1Client.open(server, "bob", query="since=1")
        replay = bob.joined["lobby"]["events"]
        assert replay[0] == {"type": "gap", "room": "lobby", "from": 2, "to": 3}, replay[0]
        assert [e["id"] for e in replay[1:]] == list(range(4, 13)), replay
        await alice.join("dev")
        await alice.send_invalid('{"type":"nope","room":"lobby"}')
        await alice.expect("error", code="unknown_type")
        await close_all(alice, bob)

    run(scenario())

    samples = wait_for_scrape(
        server, lambda s: value(s, "parley_storage_events_written_total") >= 13,
        "the store to write every event")
    assert value(samples, "parley_rooms") == 2
    assert value(samples, "parley_events_stored_total") >= 13  # 2 joins, 10 messages, dev's join
    assert value(samples, "parley_history_reads_total", source="store") >= 1
    assert value(samples, "parley_history_reads_total", source="memory") >= 1  # alice's joins
    assert value(samples, "parley_replay_events_count") == 1  # bob's since replay only
    assert value(samples, "parley_replay_events_sum") == 8
    assert value(samples, "parley_gaps_total") == 1
    assert value(samples, "parley_protocol_errors_total", code="unknown_type") == 1
    assert value(samples, "parley_storage_batch_seconds_count") >= 1
    assert value(samples, "parley_storage_reads_total") >= 1
    assert value(samples, "parley_storage_write_failures_total") == 0
    assert value(scrape(server), "parley_storage_events_dropped_total") == 0

    def bobs_join_and_a_batch(spans):
        names = {s["name"] for s in spans}
        return "storage batch" in names and any(
            s["name"] == "chat join" and attributes(s).get("chat.since") == 1 for s in spans)

    spans = collector.wait_for(bobs_join_and_a_batch, SPAN_WAIT)
    assert spans is not None, "no chat join span with chat.since, or no storage batch span"
    join = next(s for s in spans
                if s["name"] == "chat join" and attributes(s).get("chat.since") == 1)
    found = attributes(join)
    assert found["chat.room"] == "lobby"
    assert found["chat.join.id"] == 12
    assert found["chat.replay.events"] == 8
    assert found["chat.replay.gaps"] == 1
    batches = [attributes(s) for s in spans if s["name"] == "storage batch"]
    assert sum(b.get("storage.events", 0) for b in batches) >= 1, batches
