"""auth.jwt_secret (HS256): with a key set, an upgrade must present a token whose `sub` is the
username, as ?token=, `Authorization: Bearer` or a `bearer.<token>` Sec-WebSocket-Protocol entry
beside parley.v1 (never echoed). Bad tokens close 1008 with a reason; an expired one, at connect
or later, closes 4001 `Token expired.`; a parley.v1 `refresh` moves the expiry. Tokens are made
here with Python's hmac, independently of the server's OpenSSL code."""
import asyncio
import json
import time

import websockets

from jwt_tokens import hs256_token
from metrics_scrape import value, wait_for_scrape
from parley_client import WAIT, close_all, closed, connect, greeting, recv, run

SECRET = "test-secret-0123456789"
METRICS = ("--metrics-enabled", "--metrics-port", "0", "--metrics-bind", "127.0.0.1")


def token(claims, secret=SECRET, alg="HS256"):
    return hs256_token(claims, secret, alg)


def for_user(name, lifetime=3600):
    return token({"sub": name, "exp": int(time.time()) + lifetime})


def start(start_server, *args):
    return start_server("--threads", "2", "--auth-jwt-secret", SECRET, *args)


async def refused_with(server, name, query=None, **kwargs):
    ws = await connect(server, name, query, **kwargs)
    code, reason, _ = await closed(ws)
    return code, reason


def test_a_valid_token_in_the_query_lets_the_user_in(start_server):
    server = start(start_server)

    async def scenario():
        ws = await connect(server, "alice", f"token={for_user('alice')}")
        assert await recv(ws) == greeting("alice")
        await ws.close()
    run(scenario())


def test_a_bearer_header_lets_the_user_in(start_server):
    server = start(start_server)

    async def scenario():
        ws = await connect(server, "alice",
                           extra_headers={"Authorization": f"Bearer {for_user('alice')}"})
        assert await recv(ws) == greeting("alice")
        await ws.close()
    run(scenario())


def test_a_bearer_subprotocol_entry_is_taken_and_never_chosen(start_server):
    server = start(start_server)

    async def scenario():
        ws = await connect(server, "alice",
                           subprotocols=["parley.v1", f"bearer.{for_user('alice')}"])
        assert ws.subprotocol == "parley.v1"
        hello = json.loads(await recv(ws))
        assert hello["type"] == "hello" and hello["user"] == "alice"
        await ws.close()
    run(scenario())


def test_bad_tokens_are_closed_with_1008_and_a_reason_and_counted(start_server):
    server = start(start_server, *METRICS)
    now = int(time.time())

    async def scenario():
        assert await refused_with(server, "alice") == (1008, "Authentication required: no token.")
        assert await refused_with(server, "alice", "token=abc") == (
            1008, "Invalid token: not a JWT.")
        forged = token({"sub": "alice", "exp": now + 60}, secret="another secret")
        assert await refused_with(server, "alice", f"token={forged}") == (
            1008, "Invalid token: bad signature.")
        assert await refused_with(server, "alice", f"token={for_user('bob')}") == (
            1008, "Invalid token: it names another user.")
        unsigned = token({"sub": "alice", "exp": now + 60}, alg="none")
        assert await refused_with(server, "alice", f"token={unsigned}") == (
            1008, "Invalid token: unsupported algorithm.")
        # The name was never taken: alice with a good token gets in.
        ws = await connect(server, "alice", f"token={for_user('alice')}")
        assert await recv(ws) == greeting("alice")
        await ws.close()
    run(scenario())
    wait_for_scrape(server, lambda s: value(s, "parley_rejected_inputs_total",
                                            reason="auth_invalid_token") == 5,
                    "five bad tokens to be counted")


def test_an_expired_token_is_closed_with_4001_at_connect(start_server):
    server = start(start_server)
    expired = token({"sub": "alice", "exp": int(time.time()) - 10})

    async def scenario():
        assert await refused_with(server, "alice", f"token={expired}") == (4001, "Token expired.")
    run(scenario())


def test_a_token_expiring_while_connected_closes_with_4001(start_server):
    server = start(start_server, *METRICS)

    async def scenario():
        bob = await connect(server, "bob", f"token={for_user('bob')}")
        assert await recv(bob) == greeting("bob")
        alice = await connect(server, "alice", f"token={for_user('alice', lifetime=2)}")
        assert await recv(alice) == greeting("alice")
        code, reason, _ = await closed(alice, timeout=WAIT)
        assert (code, reason) == (4001, "Token expired.")
        assert await recv(bob) == "alice connected to chat"
        assert await recv(bob) == "alice left the chat"
        await bob.close()
    run(scenario())
    wait_for_scrape(server, lambda s: value(s, "parley_rejected_inputs_total",
                                            reason="auth_token_expired") == 1,
                    "the expiry to be counted")


def test_refresh_moves_the_expiry_and_a_bad_refresh_is_refused(start_server):
    server = start(start_server)

    async def scenario():
        ws = await connect(server, "alice", f"token={for_user('alice', lifetime=2)}",
                           subprotocols=["parley.v1"])
        assert json.loads(await recv(ws))["type"] == "hello"
        assert json.loads(await recv(ws))["type"] == "joined"
        await ws.send(json.dumps({"type": "refresh", "token": for_user("bob")}))
        error = json.loads(await recv(ws))
        assert error["type"] == "error" and error["code"] == "invalid_token", error
        later = int(time.time()) + 3600
        await ws.send(json.dumps({"type": "refresh",
                                  "token": token({"sub": "alice", "exp": later})}))
        assert json.loads(await recv(ws)) == {"type": "refreshed", "exp": later}
        # Past the first token's expiry (2 s) the connection is still open and answers.
        deadline = time.monotonic() + 3.5
        while time.monotonic() < deadline:
            await ws.send(json.dumps({"type": "typing", "room": "lobby"}))
            try:
                await asyncio.wait_for(ws.recv(), 0.5)
            except asyncio.TimeoutError:
                pass
        assert ws.open, f"closed: {ws.close_code} {ws.close_reason}"
        await ws.close()
    run(scenario())


def test_without_a_key_tokens_are_not_needed(start_server):
    server = start_server("--threads", "2")

    async def scenario():
        ws = await connect(server, "alice")
        assert await recv(ws) == greeting("alice")
        await ws.close()
    run(scenario())
