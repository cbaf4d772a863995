"""The legacy text chat room: greeting, join/leave notices, messages, percent-decoded names."""
import asyncio

import pytest

from parley_client import (
    RawWs, close_all, connect, greeting, join, joined, left, receive_n, recv, run, said, sync,
)


def test_new_user_receives_the_greeting_first(server):
    async def scenario():
        ws = await connect(server, "alice")
        assert await recv(ws) == "Hi alice! You have successfully connected to the chat"
        await ws.close()
    run(scenario())


def test_join_notice_without_age_goes_to_every_other_member_but_not_the_newcomer(server):
    async def scenario():
        alice = await join(server, "alice")
        bob = await join(server, "bob")
        assert await recv(alice) == "bob connected to chat"
        carol = await join(server, "carol")
        assert await recv(alice) == "carol connected to chat"
        assert await recv(bob) == "carol connected to chat"
        # carol sees nothing between her greeting and her own message: no own join notice
        assert await sync(carol, "carol") == []
        assert await sync(bob, "bob") == ["carol: sync-marker"]
        await close_all(alice, bob, carol)
    run(scenario())


def test_join_notice_with_age_goes_to_every_other_member_but_not_the_newcomer(server):
    async def scenario():
        alice = await join(server, "alice")
        bob = await join(server, "bob", age=7)
        assert await recv(alice) == "bob with age 7 connected to chat"
        carol = await join(server, "carol", age=30)
        assert await recv(alice) == "carol with age 30 connected to chat"
        assert await recv(bob) == "carol with age 30 connected to chat"
        assert await sync(carol, "carol") == []
        await close_all(alice, bob, carol)
    run(scenario())


@pytest.mark.parametrize("age", [0, 150])
def test_age_bounds_0_and_150_are_accepted_and_announced(server, age):
    async def scenario():
        alice = await join(server, "alice")
        bob = await join(server, "bob", age=age)
        assert await recv(alice) == f"bob with age {age} connected to chat"
        await close_all(alice, bob)
    run(scenario())


def test_empty_age_is_treated_as_absent(server):
    async def scenario():
        alice = await join(server, "alice")
        bob = await join(server, "bob", query="age=")
        assert await recv(alice) == "bob connected to chat"
        await close_all(alice, bob)
    run(scenario())


def test_message_goes_to_everyone_including_the_sender(server):
    async def scenario():
        alice = await join(server, "alice")
        bob = await join(server, "bob")
        carol = await join(server, "carol")
        assert await receive_n(alice, 2) == [joined("bob"), joined("carol")]
        assert await recv(bob) == joined("carol")
        await bob.send("hello all")
        for ws in (alice, bob, carol):
            assert await recv(ws) == "bob: hello all"
        await close_all(alice, bob, carol)
    run(scenario())


@pytest.mark.parametrize("text", ["héllo wörld 👋", "a: b: c", "  spaced  ", "x" * 5000])
def test_message_text_is_relayed_verbatim(server, text):
    async def scenario():
        alice = await join(server, "alice")
        bob = await join(server, "bob")
        assert await recv(alice) == joined("bob")
        await alice.send(text)
        assert await recv(alice) == said("alice", text)
        assert await recv(bob) == said("alice", text)
        await close_all(alice, bob)
    run(scenario())


def test_fragmented_text_message_is_relayed_as_one_message(server):
    async def scenario():
        alice = await join(server, "alice")
        bob = await join(server, "bob")
        assert await recv(alice) == joined("bob")
        await alice.send(["frag", "men", "ted ü"])  # websockets sends one frame per item
        assert await recv(bob) == "alice: fragmented ü"
        assert await recv(alice) == "alice: fragmented ü"
        await close_all(alice, bob)
    run(scenario())


def test_leave_notice_goes_to_the_rest_on_close_frame(server):
    async def scenario():
        alice = await join(server, "alice")
        bob = await join(server, "bob")
        carol = await join(server, "carol")
        assert await receive_n(alice, 2) == [joined("bob"), joined("carol")]
        assert await recv(bob) == joined("carol")
        await carol.close()
        assert carol.close_code == 1000  # the server echoed the close code
        assert await recv(alice) == "carol left the chat"
        assert await recv(bob) == "carol left the chat"
        await close_all(alice, bob)
    run(scenario())


def test_leave_notice_goes_to_the_rest_when_the_transport_is_aborted(server):
    async def scenario():
        alice = await join(server, "alice")
        bob = await join(server, "bob")
        assert await recv(alice) == joined("bob")
        bob.transport.abort()  # no close frame
        assert await recv(alice) == "bob left the chat"
        assert await sync(alice, "alice") == []
        await alice.close()
    run(scenario())


@pytest.mark.parametrize("reset", [False, True], ids=["fin", "rst"])
def test_leave_notice_goes_to_the_rest_when_tcp_drops_without_close_frame(server, reset):
    async def scenario():
        alice = await join(server, "alice")
        bob = await RawWs.join(server, "bob")
        assert await recv(alice) == joined("bob")
        bob.abort(reset=reset)
        assert await recv(alice) == "bob left the chat"
        await alice.close()
    run(scenario())


def test_leave_notice_goes_out_exactly_once(server):
    async def scenario():
        alice = await join(server, "alice")
        bob = await join(server, "bob")
        assert await recv(alice) == joined("bob")
        await bob.close()
        assert await recv(alice) == left("bob")
        assert await sync(alice, "alice") == []
        await alice.close()
    run(scenario())


def test_last_member_leaving_leaves_an_empty_room_that_works(server):
    async def scenario():
        alice = await join(server, "alice")
        await alice.close()
        bob = await join(server, "bob")
        assert await sync(bob, "bob") == []
        await bob.close()
    run(scenario())


@pytest.mark.parametrize("encoded,name", [
    ("J%C3%BCrgen", "Jürgen"),
    ("J%c3%bcrgen", "Jürgen"),
    ("Mary%20Ann", "Mary Ann"),
    ("%E5%BC%A0%E4%BC%9F", "张伟"),
    ("a%2Fb", "a/b"),
])
def test_percent_encoded_username_is_decoded_in_greeting_and_notices(server, encoded, name):
    async def scenario():
        alice = await join(server, "alice")
        user = await connect(server, encoded)
        assert await recv(user) == greeting(name)
        assert await recv(alice) == joined(name)
        await user.send("hi")
        assert await recv(user) == f"{name}: hi"
        assert await recv(alice) == f"{name}: hi"
        await user.close()
        assert await recv(alice) == f"{name} left the chat"
        await alice.close()
    run(scenario())


def test_percent_encoded_username_with_age_is_decoded_in_join_notice(server):
    async def scenario():
        alice = await join(server, "alice")
        user = await join(server, "J%C3%BCrgen", name="Jürgen", age=42)
        assert await recv(alice) == "Jürgen with age 42 connected to chat"
        await close_all(alice, user)
    run(scenario())


def test_ping_is_answered_with_pong(server):
    async def scenario():
        alice = await join(server, "alice")
        waiter = await alice.ping(b"are you there")
        await asyncio.wait_for(waiter, 5)
        assert await sync(alice, "alice") == []
        await alice.close()
    run(scenario())
