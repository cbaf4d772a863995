"""Cluster mode's metrics move as the cluster works (issue 11, item 8): Redis pipelines (their
round trips and sizes), reconnects after a Redis restart, gap fills, live nodes and lease
expiries."""
import json
import os
import re
import time

import pytest

from metrics_scrape import delta, scrape, value, wait_for_scrape
from parley_client import connect, greeting, recv, run
from parley_server import ParleyServer
from v1_client import V1Client

METRICS = ("--metrics-enabled", "--metrics-port", "0", "--metrics-bind", "127.0.0.1")


def test_single_node_servers_export_no_cluster_metrics():
    with ParleyServer(*METRICS) as server:
        assert not any(name.startswith("parley_cluster_") for name, _ in scrape(server))


def test_pipelines_are_timed_and_sized(start_node):
    node = start_node("node-a", *METRICS)
    before = scrape(node)

    async def scenario():
        carol = await V1Client.open(node, "carol")
        for i in range(10):
            await carol.send({"type": "send", "room": "lobby", "text": f"m{i}"})
        for i in range(10):
            await carol.wait_for("message", text=f"m{i}")
        await carol.close()

    run(scenario())
    after = scrape(node)
    pipelines = delta(before, after, "parley_cluster_redis_pipeline_commands_count")
    commands = delta(before, after, "parley_cluster_redis_pipeline_commands_sum")
    # A join and 10 messages are 11 publishes (plus the room's id read), in some pipelines.
    assert 1 <= pipelines <= commands and commands >= 11, (pipelines, commands)
    assert delta(before, after, "parley_cluster_redis_round_trip_seconds_count") == pipelines
    assert delta(before, after, "parley_cluster_redis_round_trip_seconds_sum") > 0
    # Each pipeline is in exactly one bucket: +Inf counts them all.
    assert delta(before, after, "parley_cluster_redis_pipeline_commands_bucket",
                 le="+Inf") == pipelines
    assert ("parley_cluster_nodes", frozenset()) in after


def test_docs_list_exactly_the_cluster_families_served(start_node):
    node = start_node("node-a", *METRICS)
    served = set()
    for name, _ in scrape(node):
        if name.startswith("parley_cluster_"):
            served.add(re.sub(r"_(bucket|count|sum)$", "", name))
    doc = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "metrics.md")
    with open(doc) as text:
        documented = set(re.findall(r"^\| `(parley_cluster_[a-z_]+)` \|", text.read(), re.M))
    assert documented == served


def test_reconnects_after_a_redis_restart_are_counted_by_role(redis, start_node):
    node = start_node("node-a", *METRICS)
    assert node.wait_for_line("cluster: connected to Redis", 10)
    assert node.wait_for_line("cluster: subscribed", 10)
    before = scrape(node)
    assert value(before, "parley_cluster_reconnects_total", role="commander") == 0
    assert value(before, "parley_cluster_reconnects_total", role="subscriber") == 0
    mark = len(node.lines)
    redis.restart_empty()
    assert node.wait_for_line("cluster: connected to Redis", 10, start_at=mark)
    assert node.wait_for_line("cluster: subscribed", 10, start_at=mark)
    after = scrape(node)
    assert value(after, "parley_cluster_reconnects_total", role="commander") >= 1
    assert value(after, "parley_cluster_reconnects_total", role="subscriber") == 1


def test_a_gap_fill_is_counted(redis, start_node):
    node = start_node("node-a", *METRICS)

    async def scenario():
        carol = await V1Client.open(node, "carol")
        before = scrape(node)
        # An event in the stream whose PUBLISH the node never received: the next one shows the
        # gap, and the room reads it from the stream.
        lost = int(redis.command("INCR", "parley:{lobby}:id"))
        event = json.dumps({"id": lost, "ts": int(time.time() * 1000), "kind": "message",
                            "user": "ghost", "node": "elsewhere", "member": 0, "text": "missed"})
        redis.command("XADD", "parley:{lobby}:stream", f"{lost}-1", "e", event)
        await carol.send({"type": "send", "room": "lobby", "text": "after the gap"})
        await carol.expect("message", id=lost, text="missed")
        await carol.expect("message", id=lost + 1, text="after the gap")
        after = scrape(node)
        assert delta(before, after, "parley_cluster_gap_fills_total") == 1
        await carol.close()

    run(scenario())


def test_live_nodes_are_counted(start_node):
    a, _ = start_node("node-a", *METRICS), start_node("node-b", *METRICS)
    wait_for_scrape(a, lambda s: value(s, "parley_cluster_nodes") == 2, "2 live nodes")


# Flaky because of the reaper, not the metric: about one run in five no surviving node notices
# the dead one within the lease (main's test_dead_node.py::
# test_a_node_counts_the_live_nodes_and_forgets_a_dead_one fails the same way).
def test_a_dead_node_s_lease_expiries_are_counted(start_node):
    lease_ms = 1500
    args = ("--cluster-lease-ms", str(lease_ms), *METRICS)
    a, b = start_node("node-a", *args), start_node("node-b", *args)
    reaped_within = 3 * lease_ms / 1000 + 5  # the reaper looks every lease/3, after the lease
    wait_for_scrape(a, lambda s: value(s, "parley_cluster_nodes") == 2, "2 live nodes")

    async def scenario():
        alice = await connect(b, "alice")  # on the node that dies
        assert await recv(alice) == greeting("alice")
        # Her own line back: her join is in Redis (the greeting comes before it is).
        await alice.send("here")
        assert await recv(alice) == "alice: here"
        b.proc.kill()
        b.proc.wait(10)

    run(scenario())
    after = wait_for_scrape(a, lambda s: value(s, "parley_cluster_lease_expiries_total") >= 1,
                            "alice's lease to expire", timeout=reaped_within)
    assert value(after, "parley_cluster_lease_expiries_total") == 1  # alice, in the lobby
    wait_for_scrape(a, lambda s: value(s, "parley_cluster_nodes") == 1, "1 live node",
                    timeout=reaped_within)
