"""deploy/nginx/parley.conf, run by Debian's nginx in front of two nodes of one cluster: the web
client, /api and WebSocket chat all pass through it, connections are spread over both nodes
(least_conn), clients on either node see one order with the same ids (legacy and parley.v1),
and nginx passes the client's address on in X-Forwarded-For."""
import asyncio
import json
import re
import signal
import threading
import time
import urllib.error
import urllib.request

import pytest
import websockets

from nginx_server import NginxServer
from parley_client import NO_RATE_LIMIT, RawWs, closed, connect, greeting, recv, run, said
from v1_client import SUBPROTOCOL, V1Client

# Each client connects from its own loopback address (127.0.0.N) and nginx from 127.0.0.1, which
# the nodes trust as a proxy. One connection per address per node: were nginx's X-Forwarded-For
# missing, every client would be 127.0.0.1 to the nodes and the second on a node would get 429.
NODE_ARGS = ("--security-trusted-proxies", "127.0.0.1", "--limits-connections-per-ip", "1",
             *NO_RATE_LIMIT)
UPGRADE_LOG = r"upgrade remote=\S+ path=/chat/{}\S* status=101"


def wait_until_ready(node, timeout=10.0):
    """A node listens a moment before both its Redis connections are up; /readyz says when."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if http_get(f"{node.http_url}/readyz")[0] == 200:
                return
        except urllib.error.HTTPError:
            pass
        assert time.monotonic() < deadline, "node not ready"
        threading.Event().wait(0.05)


@pytest.fixture
def proxied(start_node):
    a = start_node("node-a", *NODE_ARGS)
    b = start_node("node-b", *NODE_ARGS)
    for node in (a, b):
        wait_until_ready(node)
    with NginxServer([a, b]) as nginx:
        yield nginx, a, b


def http_get(url):
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.headers, response.read().decode()


def from_address(number):
    """websockets.connect arguments for a client on 127.0.0.<10 + number>."""
    return {"local_addr": (f"127.0.0.{10 + number}", 0)}


async def open_v1(nginx, name, number):
    ws = await connect(nginx, name, subprotocols=[SUBPROTOCOL], **from_address(number))
    assert ws.subprotocol == SUBPROTOCOL
    client = V1Client(ws, name)
    client.hello = await client.recv()
    assert client.hello["type"] == "hello", client.hello
    assert (await client.recv())["type"] == "joined"
    return client


async def open_legacy(nginx, name, number):
    ws = await connect(nginx, name, **from_address(number))
    assert await recv(ws) == greeting(name)
    return ws


async def chat_lines(ws, count):
    """The next `count` chat lines a legacy client receives (notices of joins skipped)."""
    lines = []
    while len(lines) < count:
        line = await recv(ws)
        if not line.endswith("connected to chat"):
            lines.append(line)
    return lines


def node_of(name, nodes, timeout=5.0):
    """The node whose access log has `name`'s upgrade. The line is written before the 101, but
    the test reads each node's output on a thread of its own, so it may still be on its way."""
    pattern = re.compile(UPGRADE_LOG.format(re.escape(name)))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [node for node in nodes if node.wait_for_line(pattern, 0.1) is not None]
        if found:
            assert len(found) == 1, f"{name} upgraded on {len(found)} nodes"
            return found[0]
    raise AssertionError(f"no node logged {name}'s upgrade")


def test_web_client_api_and_probes_come_through_nginx(proxied):
    nginx, a, b = proxied
    status, headers, body = http_get(f"{nginx.http_url}/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "<html" in body.lower()
    status, headers, body = http_get(f"{nginx.http_url}/api/rooms")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    json.loads(body)
    assert http_get(f"{nginx.http_url}/readyz")[0] == 200


def test_clients_through_nginx_are_spread_over_both_nodes_and_see_one_order(proxied):
    nginx, a, b = proxied

    async def scenario():
        # One at a time, so least_conn sees each open connection when placing the next.
        carol = await open_v1(nginx, "carol", 1)
        dave = await open_v1(nginx, "dave", 2)
        alice = await open_legacy(nginx, "alice", 3)
        bob = await open_legacy(nginx, "bob", 4)
        placed = {name: node_of(name, (a, b)) for name in ("carol", "dave", "alice", "bob")}
        assert [list(placed.values()).count(node) for node in (a, b)] == [2, 2], \
            {name: node.port for name, node in placed.items()}
        assert {placed["carol"], placed["dave"]} == {a, b}  # v1 on both nodes
        assert {placed["alice"], placed["bob"]} == {a, b}  # legacy on both nodes

        await asyncio.gather(*(carol.send({"type": "send", "room": "lobby", "text": f"c{i}"})
                               for i in range(5)),
                             *(dave.send({"type": "send", "room": "lobby", "text": f"d{i}"})
                               for i in range(5)),
                             *(alice.send(f"a{i}") for i in range(5)),
                             *(bob.send(f"b{i}") for i in range(5)))
        seen_by_carol = [(await carol.wait_for("message"))[0] for _ in range(20)]
        seen_by_dave = [(await dave.wait_for("message"))[0] for _ in range(20)]
        order = [(e["id"], e["from"], e["text"]) for e in seen_by_carol]
        assert order == [(e["id"], e["from"], e["text"]) for e in seen_by_dave]
        assert [i for i, _, _ in order] == sorted(set(i for i, _, _ in order))
        expected = [said(sender, text) for _, sender, text in order]
        for legacy in (alice, bob):
            assert await chat_lines(legacy, 20) == expected

        # least_conn, not round robin: when both clients of one node leave, the next two new
        # connections go to that node (round robin would send the second to the other node).
        emptied = placed["carol"]
        leaving = [ws for name, ws in (("alice", alice), ("bob", bob)) if placed[name] is emptied]
        await asyncio.gather(carol.close(), *(ws.close() for ws in leaving))
        erin = await open_v1(nginx, "erin", 5)
        frank = await open_legacy(nginx, "frank", 6)
        assert node_of("erin", (a, b)) is emptied and node_of("frank", (a, b)) is emptied

        staying = [c for c in (alice, bob) if c not in leaving]
        await asyncio.gather(dave.close(), erin.close(), frank.close(),
                             *(ws.close() for ws in staying))

    run(scenario())


def test_a_second_connection_from_one_forwarded_address_is_refused_by_its_node(proxied):
    # The other side of the X-Forwarded-For check above: the node counts the header's client.
    nginx, a, b = proxied

    async def scenario():
        first = await open_legacy(nginx, "erin", 7)
        second = await open_legacy(nginx, "frank", 7)  # least_conn: the other node, allowed
        with pytest.raises(websockets.InvalidStatusCode) as refused:
            await connect(nginx, "grace", **from_address(7))
        assert refused.value.status_code == 429
        await asyncio.gather(first.close(), second.close())

    run(scenario())


def test_a_draining_nodes_refusal_is_retried_on_the_other_node(proxied):
    """A node that got SIGTERM answers upgrades 503 while it drains (a rolling update): nginx
    passes the upgrade to another node rather than the 503 to the client."""
    nginx, a, b = proxied

    async def scenario():
        alice = await open_legacy(nginx, "alice", 1)
        bob = await open_legacy(nginx, "bob", 2)
        draining = node_of("alice", (a, b))
        other = b if draining is a else a
        # Straight to the node, not through nginx: it never answers the close, so the node
        # stays draining for its whole shutdown timeout.
        mute = await RawWs.join(draining, "mute")
        draining.proc.send_signal(signal.SIGTERM)
        code, _, _ = await closed(alice)
        assert code == 1001
        # nginx now counts no connection to the draining node and bob's to the other, so
        # least_conn tries the draining node first.
        carol = await open_legacy(nginx, "carol", 3)
        assert node_of("carol", (a, b)) is other
        assert draining.wait_for_line(r"path=/chat/carol\S* status=503", 5)
        mute.close_tcp()
        await asyncio.gather(bob.close(), carol.close())

    run(scenario())
