"""Two Redis shards under two nodes: each room and each username lives on the shard a fixed hash
of its name picks (FNV-1a 64 modulo the shard count, src/cluster/shard_hash.hpp), and the chat
works across nodes as with one Redis (issue 11, item 1)."""
import re

import pytest
import websockets

from conftest import ClusterNodes
from parley_client import connect, greeting, http_request, recv, run
from parley_server import ParleyServer
from redis_server import RedisServer
from v1_client import V1Client


def fnv1a_64(text):
    value = 0xcbf29ce484222325
    for byte in text.encode():
        value = ((value ^ byte) * 0x100000001b3) % 2**64
    return value


def shard_of(name, shards=2):
    return fnv1a_64(name) % shards


def names_on(shard, prefix, count=1):
    """The first `count` names prefix0, prefix1, ... that hash to `shard`."""
    found = [f"{prefix}{i}" for i in range(1000) if shard_of(f"{prefix}{i}") == shard]
    return found[:count]


def test_the_hash_is_fnv1a_64():
    # The published test vectors of FNV-1a 64: a node in any language must agree with these.
    assert fnv1a_64("") == 0xcbf29ce484222325
    assert fnv1a_64("a") == 0xaf63dc4c8601ec8c
    assert fnv1a_64("foobar") == 0x85944171f73967e8


@pytest.fixture
def shards():
    with RedisServer() as first, RedisServer() as second:
        yield first, second


@pytest.fixture
def start_sharded_node(shards):
    """start_sharded_node(name, *args): a node on both shards, stopped after the test."""
    nodes = ClusterNodes(",".join(s.url for s in shards))
    yield nodes
    nodes.stop_all()


def wait_lines(node, pattern, count, timeout=10):
    """Waits until `count` printed lines contain `pattern` (one per shard)."""
    start = 0
    for _ in range(count):
        assert node.wait_for_line(re.escape(pattern), timeout, start_at=start), (pattern, node.lines)
        start = next(i for i in range(start, len(node.lines)) if pattern in node.lines[i]) + 1


def wait_connected(node, shards=2):
    wait_lines(node, "cluster: connected to Redis", shards)
    wait_lines(node, "cluster: subscribed", shards)


def test_rooms_on_both_shards_chat_across_nodes_with_the_same_ids(shards, start_sharded_node):
    a, b = start_sharded_node("node-a"), start_sharded_node("node-b")
    rooms = names_on(0, "room-", 2) + names_on(1, "room-", 2)

    async def scenario():
        carol = await V1Client.open(a, "carol")
        dave = await V1Client.open(b, "dave")
        for room in rooms:
            await carol.join(room)
            joined = await dave.join(room)
            assert set(joined["users"]) == {"carol", "dave"}
            await carol.wait_for("join", room=room, user="dave")
        for room in rooms:
            await carol.send({"type": "send", "room": room, "text": f"c in {room}"})
            await dave.send({"type": "send", "room": room, "text": f"d in {room}"})
        for room in rooms:
            for client in (carol, dave):  # V1Client fails on any id out of sequence
                seen = [e for e in client.received if e.get("room") == room
                        and e["type"] == "message"]
                while len(seen) < 2:
                    event, _ = await client.wait_for("message", room=room)
                    seen.append(event)
            mine = sorted((e["id"], e["from"], e["text"]) for e in carol.received
                          if e.get("room") == room and e["type"] == "message")
            theirs = sorted((e["id"], e["from"], e["text"]) for e in dave.received
                            if e.get("room") == room and e["type"] == "message")
            assert mine == theirs and len(mine) == 2
        await carol.close()
        await dave.close()

    run(scenario())
    # Each room's keys are on its own shard, and only there.
    for room in rooms:
        home, other = shards[shard_of(room)], shards[1 - shard_of(room)]
        # 2 joins and 2 messages (and the leaves, once the nodes have published them)
        assert int(home.command("XLEN", f"parley:{{{room}}}:stream")) >= 4
        assert other.command("EXISTS", f"parley:{{{room}}}:stream") == "0"
        assert other.command("EXISTS", f"parley:{{{room}}}:id") == "0"


def test_a_name_held_on_one_node_is_refused_on_the_other_on_either_shard(
        shards, start_sharded_node):
    a, b = start_sharded_node("node-a"), start_sharded_node("node-b")
    names = names_on(0, "user", 1) + names_on(1, "user", 1)

    async def scenario():
        for name in names:
            holder = await connect(a, name)
            assert await recv(holder) == greeting(name)
            twin = await connect(b, name)
            with pytest.raises(websockets.ConnectionClosed):
                await recv(twin)
            assert (twin.close_code, twin.close_reason) == (1003, "Username already exists.")
            home, other = shards[shard_of(name)], shards[1 - shard_of(name)]
            assert home.command("GET", f"parley:name:{{{name}}}").startswith("node-a:")
            assert other.command("EXISTS", f"parley:name:{{{name}}}") == "0"
            await holder.close()

    run(scenario())


def test_with_one_shard_stopped_the_node_is_not_ready_and_rooms_on_the_other_still_chat(
        shards, start_sharded_node):
    a, b = start_sharded_node("node-a"), start_sharded_node("node-b")
    for node in (a, b):
        wait_connected(node)
        assert http_request(node, "GET", "/readyz").status == 200
    up = 0
    room = names_on(up, "room-")[0]
    # The users' names and the lobby must not live on the stopped shard either: a join is
    # published in the lobby, and a name is claimed on its shard.
    carol_name, dave_name = names_on(up, "carol-", 2)

    async def scenario():
        query = f"room={room}"
        carol = await V1Client.open(a, carol_name, query=query, room=room)
        dave = await V1Client.open(b, dave_name, query=query, room=room)
        await carol.wait_for("join", room=room, user=dave_name)
        marks = [len(node.lines) for node in (a, b)]
        shards[1 - up].stop()
        for node, mark in zip((a, b), marks):
            assert node.wait_for_line("cluster: lost the Redis subscription", 10, start_at=mark)
            answer = http_request(node, "GET", "/readyz")
            assert (answer.status, answer.body) == (503, b"redis unreachable\n")
        message, _ = await carol.say(room, "still here")
        await dave.wait_for("message", room=room, text="still here", id=message["id"])
        await carol.close()
        await dave.close()

    run(scenario())


def test_a_node_given_the_shards_in_another_order_refuses_to_start(shards, start_sharded_node):
    start_sharded_node("node-a")
    reversed_urls = ",".join(s.url for s in reversed(shards))
    node = ParleyServer("--cluster-redis", reversed_urls, "--cluster-node-id", "node-b")
    with pytest.raises(RuntimeError, match="same list in the same order"):
        node.start()
