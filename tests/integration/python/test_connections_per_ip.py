"""limits.connections_per_ip: one address may hold that many WebSockets at once; one more upgrade
gets 429 before the upgrade (counted), and a slot is free again once a connection ends.
X-Forwarded-For names the client only when the peer is one of security.trusted_proxies."""
import asyncio
import time

import pytest
from websockets.exceptions import InvalidStatusCode

from metrics_scrape import delta, scrape
from parley_client import (
    WAIT, close_all, connect, greeting, http_request, recv, run, upgrade_headers,
)

METRICS = ("--metrics-enabled", "--metrics-port", "0", "--metrics-bind", "127.0.0.1")


async def refused(server, name, **kwargs):
    with pytest.raises(InvalidStatusCode) as refusal:
        await connect(server, name, **kwargs)
    return refusal.value.status_code


async def joined(server, name, **kwargs):
    ws = await connect(server, name, **kwargs)
    assert await recv(ws) == greeting(name)
    return ws


def test_one_more_than_the_limit_gets_429_until_a_connection_ends(start_server):
    server = start_server("--threads", "2", "--limits-connections-per-ip", "2", *METRICS)
    before = scrape(server)

    async def scenario():
        alice = await joined(server, "alice")
        bob = await joined(server, "bob")
        assert await refused(server, "carol") == 429
        await alice.close()
        # The slot comes back when the server has ended alice's connection: each try is a full
        # round trip, and the deadline bounds them.
        deadline = time.monotonic() + WAIT
        while True:
            try:
                carol = await joined(server, "carol")
                break
            except InvalidStatusCode as refusal:
                assert refusal.status_code == 429
                assert time.monotonic() < deadline, "alice's slot never came back"
        await close_all(bob, carol)
    run(scenario())
    after = scrape(server)
    assert delta(before, after, "parley_rejected_inputs_total",
                 reason="http_too_many_connections") >= 1
    assert server.wait_for_line(r"upgrade remote=\S+ path=/chat/carol status=429", WAIT)


def test_the_answer_says_why(start_server):
    server = start_server("--threads", "2", "--limits-connections-per-ip", "1")

    async def scenario():
        alice = await joined(server, "alice")
        response = await asyncio.to_thread(http_request, server, "GET", "/chat/bob",
                                           upgrade_headers())
        assert response.status == 429
        assert b"127.0.0.1 has 1 connections open already (limits.connections_per_ip)" in (
            response.body)
        await alice.close()
    run(scenario())


def test_forwarded_for_is_ignored_from_an_untrusted_peer(start_server):
    server = start_server("--threads", "2", "--limits-connections-per-ip", "1")

    async def scenario():
        alice = await joined(server, "alice", extra_headers={"X-Forwarded-For": "203.0.113.1"})
        # Claiming another address does not help: the peer, 127.0.0.1, has its one connection.
        assert await refused(server, "bob", extra_headers={"X-Forwarded-For": "203.0.113.2"}) == 429
        await alice.close()
    run(scenario())


def test_a_trusted_proxy_names_the_client(start_server):
    server = start_server("--threads", "2", "--limits-connections-per-ip", "1",
                          "--security-trusted-proxies", "127.0.0.1")

    async def scenario():
        first = await joined(server, "u1", extra_headers={"X-Forwarded-For": "203.0.113.1"})
        other = await joined(server, "u2", extra_headers={"X-Forwarded-For": "203.0.113.2"})
        # The proxy appends the address it saw: what the client wrote before it does not count.
        assert await refused(server, "u3", extra_headers={
            "X-Forwarded-For": "198.51.100.77, 203.0.113.1"}) == 429
        await close_all(first, other)
    run(scenario())


def test_zero_turns_the_limit_off(start_server):
    server = start_server("--threads", "2", "--limits-connections-per-ip", "0")

    async def scenario():
        sockets = [await joined(server, f"u{i}") for i in range(5)]
        await close_all(*sockets)
    run(scenario())
