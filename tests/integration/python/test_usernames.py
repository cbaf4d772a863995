"""Usernames: uniqueness (incl. races), validation, and age validation."""
import asyncio

import websockets

import pytest

from parley_client import (
    RawWs, close_all, closed, connect, greeting, join, joined, left, recv, run, said, sync,
)

DUPLICATE_REASON = "Username already exists."
AGE_REASON = "Invalid age: must be a whole number from 0 to 150."


# ---------------------------------------------------------------- duplicates


def test_duplicate_username_is_upgraded_then_closed_with_1003(server):
    async def scenario():
        alice = await join(server, "alice")
        dup = await connect(server, "alice")  # the upgrade itself succeeds
        code, reason, _ = await closed(dup)
        assert (code, reason) == (1003, DUPLICATE_REASON)
        await alice.close()
    run(scenario())


def test_rejected_duplicate_produces_no_join_or_leave_notice(server):
    async def scenario():
        alice = await join(server, "alice")
        bob = await join(server, "bob")
        assert await recv(alice) == joined("bob")
        dup = await connect(server, "alice")
        code, _, _ = await closed(dup)
        assert code == 1003
        # Nothing about the duplicate reached the holder or the bystander.
        assert await sync(alice, "alice", "after-dup") == []
        assert await sync(bob, "bob", "after-dup") == ["alice: after-dup"]
        await close_all(alice, bob)
    run(scenario())


def test_rejected_duplicate_does_not_disturb_the_holder(server):
    async def scenario():
        alice = await join(server, "alice")
        bob = await join(server, "bob")
        assert await recv(alice) == joined("bob")
        for _ in range(3):
            dup = await connect(server, "alice")
            assert (await closed(dup))[0] == 1003
        await alice.send("still me")
        assert await recv(bob) == "alice: still me"
        await bob.send("hi alice")
        assert await recv(alice) == "alice: still me"
        assert await recv(alice) == "bob: hi alice"
        await close_all(alice, bob)
    run(scenario())


def test_duplicate_check_compares_decoded_names(server):
    async def scenario():
        holder = await join(server, "J%C3%BCrgen", name="Jürgen")
        dup = await connect(server, "J%c3%bcrgen")
        code, reason, _ = await closed(dup)
        assert (code, reason) == (1003, DUPLICATE_REASON)
        await holder.close()
    run(scenario())


def test_duplicate_with_different_age_is_still_a_duplicate(server):
    async def scenario():
        alice = await join(server, "alice")
        dup = await connect(server, "alice", "age=20")
        assert (await closed(dup))[:2] == (1003, DUPLICATE_REASON)
        await alice.close()
    run(scenario())


def test_name_is_free_again_after_holder_closes(server):
    async def scenario():
        alice = await join(server, "alice")
        bob = await join(server, "bob")
        assert await recv(alice) == joined("bob")
        await alice.close()
        assert await recv(bob) == left("alice")
        again = await connect(server, "alice")
        assert await recv(again) == greeting("alice")
        assert await recv(bob) == joined("alice")
        await close_all(again, bob)
    run(scenario())


@pytest.mark.parametrize("reset", [False, True], ids=["fin", "rst"])
def test_name_is_free_again_after_holder_drops_tcp(server, reset):
    async def scenario():
        bob = await join(server, "bob")
        alice = await RawWs.join(server, "alice")
        assert await recv(bob) == joined("alice")
        alice.abort(reset=reset)
        assert await recv(bob) == left("alice")
        again = await connect(server, "alice")
        assert await recv(again) == greeting("alice")
        assert await recv(bob) == joined("alice")
        await close_all(again, bob)
    run(scenario())


def test_name_is_free_again_right_after_each_leave_notice_repeatedly(server):
    async def scenario():
        bob = await join(server, "bob")
        for round_no in range(10):
            alice = await connect(server, "alice")
            assert await recv(alice) == greeting("alice"), f"round {round_no}"
            assert await recv(bob) == joined("alice")
            if round_no % 2:
                alice.transport.abort()
            else:
                await alice.close()
            assert await recv(bob) == left("alice")
        await bob.close()
    run(scenario())


@pytest.mark.parametrize("round_no", range(3))
def test_concurrent_clients_racing_for_one_name_exactly_one_wins(start_server, round_no):
    server = start_server("--threads", "4")
    contenders = 20

    async def contend(name):
        ws = await connect(server, name)  # every upgrade succeeds
        try:
            first = await recv(ws)
        except Exception:
            return ws, None
        return ws, first

    async def scenario():
        observer = await join(server, "observer")
        results = await asyncio.gather(*(contend("same") for _ in range(contenders)))
        winners = [ws for ws, first in results if first == greeting("same")]
        losers = [ws for ws, first in results if first != greeting("same")]
        assert len(winners) == 1, f"{len(winners)} clients got the greeting"
        for ws in losers:
            code, reason, _ = await closed(ws)
            assert (code, reason) == (1003, DUPLICATE_REASON)
        winner = winners[0]
        await winner.send("I won")
        assert await recv(winner) == "same: I won"
        # The observer saw exactly one join, and no leave for any loser.
        assert await sync(observer, "observer") == [joined("same"), said("same", "I won")]
        await close_all(winner, observer)
    run(scenario())


# ---------------------------------------------------------------- invalid usernames


@pytest.mark.parametrize("path_name", [
    pytest.param("", id="empty"),
    pytest.param("a" * 33, id="33-ascii-chars"),
    pytest.param("%C3%BC" * 33, id="33-two-byte-chars"),
    pytest.param("%FF", id="invalid-utf8-ff"),
    pytest.param("abc%C3", id="truncated-utf8"),
    pytest.param("%C0%AF", id="overlong-utf8"),
    pytest.param("%ED%A0%80", id="utf16-surrogate"),
    pytest.param("bad%01name", id="control-01"),
    pytest.param("bad%7Fname", id="control-7f-del"),
    pytest.param("bad%0Aname", id="control-newline"),
    pytest.param("%00", id="nul"),
    pytest.param("bad%C2%85name", id="c1-control-u0085"),
])
def test_invalid_username_is_closed_with_1008_and_a_reason(server, path_name):
    async def scenario():
        alice = await join(server, "alice")
        bad = await connect(server, path_name)
        code, reason, messages = await closed(bad)
        assert code == 1008
        assert reason.strip() != ""
        assert not any(m.startswith("Hi ") for m in messages), messages
        # nobody was told about it
        assert await sync(alice, "alice") == []
        await alice.close()
    run(scenario())


def test_invalid_length_reason_names_the_rule(server):
    async def scenario():
        bad = await connect(server, "a" * 33)
        code, reason, _ = await closed(bad)
        assert code == 1008 and reason.startswith("Invalid username"), reason
    run(scenario())


@pytest.mark.parametrize("path_name,name", [
    pytest.param("a" * 32, "a" * 32, id="32-ascii-chars"),
    pytest.param("%C3%BC" * 32, "ü" * 32, id="32-two-byte-chars"),
    pytest.param("%F0%9F%98%80" * 32, "😀" * 32, id="32-four-byte-chars"),
    pytest.param("x", "x", id="1-char"),
])
def test_username_of_up_to_32_code_points_is_valid(server, path_name, name):
    async def scenario():
        alice = await join(server, "alice")
        user = await join(server, path_name, name=name)
        assert await recv(alice) == joined(name)
        await close_all(alice, user)
    run(scenario())


# ---------------------------------------------------------------- age


@pytest.mark.parametrize("query", ["age=abc", "age=-1", "age=151", "age=1.5", "age=12abc",
                                   "age=99999999999999999999"])
def test_invalid_age_is_closed_with_1008(server, query):
    async def scenario():
        alice = await join(server, "alice")
        bad = await connect(server, "bob", query)
        code, reason, messages = await closed(bad)
        assert (code, reason) == (1008, AGE_REASON)
        assert not any(m.startswith("Hi ") for m in messages), messages
        assert await sync(alice, "alice") == []
        # the name was not claimed by the rejected connection
        bob = await join(server, "bob")
        assert await recv(alice) == joined("bob")
        await close_all(alice, bob)
    run(scenario())


def test_rejoin_racing_with_the_holders_leave_never_yields_two_holders(start_server):
    server = start_server("--threads", "4")

    async def claim():
        for _ in range(500):  # each attempt is a full round trip, not a sleep
            ws = await connect(server, "alice")
            try:
                first = await recv(ws)
            except websockets.ConnectionClosed:
                assert (ws.close_code, ws.close_reason) == (1003, DUPLICATE_REASON)
                continue
            assert first == greeting("alice")
            return ws
        raise AssertionError("name never became free again")

    async def scenario():
        observer = await join(server, "observer")
        holder = await join(server, "alice")
        assert await recv(observer) == joined("alice")
        rounds = 10
        for round_no in range(rounds):
            if round_no % 2:
                holder.transport.abort()
                holder = await claim()
            else:
                closing = asyncio.create_task(holder.close())
                holder = await claim()
                await closing
        events = await sync(observer, "observer")
        assert events == [left("alice"), joined("alice")] * rounds
        await close_all(holder, observer)
    run(scenario())
