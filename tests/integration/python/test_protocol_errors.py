"""WebSocket-level errors: each closes only the offender, with the documented code; the room
goes on, and the offender's leave notice reaches the others. Also the close handshake."""
import asyncio
import struct

import pytest

from parley_client import (
    OP_BINARY, OP_CLOSE, OP_CONT, OP_PING, OP_PONG, OP_TEXT, RawWs, close_all, close_payload,
    closed, join, joined, left, recv, run, said, sync,
)
from parley_client import encode_frame as F


async def room_survives(bob, offender):
    """bob sees the offender leave, then can still chat."""
    assert await recv(bob) == left(offender)
    assert await sync(bob, "bob", "still here") == []


# ---------------------------------------------------------------- via the websockets client


def test_binary_message_is_closed_with_1003(server):
    async def scenario():
        bob = await join(server, "bob")
        alice = await join(server, "alice")
        assert await recv(bob) == joined("alice")
        await alice.send(b"\x00\x01binary")
        code, reason, messages = await closed(alice)
        assert (code, reason) == (1003, "Binary messages are not supported.")
        assert messages == []
        await room_survives(bob, "alice")
        await bob.close()
    run(scenario())


def test_message_over_default_limit_in_one_frame_is_closed_with_1009(server):
    async def scenario():
        bob = await join(server, "bob")
        alice = await join(server, "alice")
        assert await recv(bob) == joined("alice")
        await alice.send("x" * 65537)
        code, reason, _ = await closed(alice)
        assert (code, reason) == (1009, "Message too big.")
        await room_survives(bob, "alice")
        await bob.close()
    run(scenario())


def test_message_of_exactly_the_default_limit_is_accepted(server):
    async def scenario():
        alice = await join(server, "alice")
        await alice.send("y" * 65536)
        assert await recv(alice) == said("alice", "y" * 65536)
        await alice.close()
    run(scenario())


def test_message_over_configured_limit_in_one_frame_is_closed_with_1009(start_server):
    server = start_server("--threads", "2", "--max-message-size", "1000")

    async def scenario():
        bob = await join(server, "bob")
        alice = await join(server, "alice")
        assert await recv(bob) == joined("alice")
        await alice.send("z" * 1000)
        assert await recv(alice) == said("alice", "z" * 1000)
        assert await recv(bob) == said("alice", "z" * 1000)
        await alice.send("z" * 1001)
        code, reason, _ = await closed(alice)
        assert (code, reason) == (1009, "Message too big.")
        await room_survives(bob, "alice")
        await bob.close()
    run(scenario())


def test_fragmented_message_whose_total_exceeds_the_limit_is_closed_with_1009(start_server):
    server = start_server("--threads", "2", "--max-message-size", "1000")

    async def scenario():
        bob = await join(server, "bob")
        alice = await join(server, "alice")
        assert await recv(bob) == joined("alice")
        await alice.send(["a" * 500, "b" * 500])  # exactly 1000 in total: fine
        assert await recv(alice) == said("alice", "a" * 500 + "b" * 500)
        assert await recv(bob) == said("alice", "a" * 500 + "b" * 500)
        await alice.send(["c" * 400, "d" * 400, "e" * 400])  # every frame small, total 1200
        code, reason, _ = await closed(alice)
        assert (code, reason) == (1009, "Message too big.")
        await room_survives(bob, "alice")
        await bob.close()
    run(scenario())


def test_name_of_an_offender_is_free_again_after_its_leave_notice(server):
    async def scenario():
        bob = await join(server, "bob")
        alice = await join(server, "alice")
        assert await recv(bob) == joined("alice")
        await alice.send(b"bin")
        assert (await closed(alice))[0] == 1003
        assert await recv(bob) == left("alice")
        alice = await join(server, "alice")
        assert await recv(bob) == joined("alice")
        await close_all(alice, bob)
    run(scenario())


# ---------------------------------------------------------------- via raw frames


async def raw_offence(server, frames, expected_code, expected_reason=None):
    """alice (raw) sends `frames`; checks her close code, the TCP close, and the room."""
    bob = await join(server, "bob")
    alice = await RawWs.join(server, "alice")
    assert await recv(bob) == joined("alice")
    for frame in frames:
        alice.write(frame)
    code, reason, _ = await alice.expect_close()
    assert code == expected_code, f"close code {code} ({reason!r})"
    if expected_reason is not None:
        assert reason == expected_reason
    else:
        assert reason.strip() != "", "close reason should say what was wrong"
    # after a protocol error the server closes TCP right after its close frame
    await alice.expect_eof()
    await room_survives(bob, "alice")
    await bob.close()


@pytest.mark.parametrize("payload", [
    pytest.param(b"\xff", id="ff-byte"),
    pytest.param(b"abc\xc3", id="truncated-sequence"),
    pytest.param(b"\xc0\xaf", id="overlong"),
    pytest.param(b"\xed\xa0\x80", id="surrogate"),
    pytest.param(b"\xf4\x90\x80\x80", id="above-u10ffff"),
])
def test_invalid_utf8_text_is_closed_with_1007(server, payload):
    run(raw_offence(server, [F(OP_TEXT, payload)], 1007, "Invalid UTF-8 in text message."))


def test_invalid_utf8_across_fragments_is_closed_with_1007(server):
    frames = [F(OP_TEXT, "ok so far", fin=False), F(OP_CONT, b"\xfe\xff", fin=True)]
    run(raw_offence(server, frames, 1007, "Invalid UTF-8 in text message."))


def test_code_point_split_across_fragments_is_valid(server):
    async def scenario():
        alice = await RawWs.join(server, "alice")
        u = "ü".encode()
        alice.write(F(OP_TEXT, b"J" + u[:1], fin=False))
        alice.write(F(OP_CONT, u[1:] + b"rgen", fin=True))
        assert await alice.recv_text() == "alice: Jürgen"
        alice.close_tcp()
    run(scenario())


def test_unmasked_client_frame_is_closed_with_1002(server):
    run(raw_offence(server, [F(OP_TEXT, "hello", mask=False)], 1002))


@pytest.mark.parametrize("frames", [
    pytest.param([F(OP_TEXT, "x", rsv=4)], id="rsv1-without-extension"),
    pytest.param([F(OP_TEXT, "x", rsv=2)], id="rsv2"),
    pytest.param([F(OP_TEXT, "x", rsv=1)], id="rsv3"),
    pytest.param([F(0x3, "x")], id="reserved-data-opcode"),
    pytest.param([F(0xB, "x")], id="reserved-control-opcode"),
    pytest.param([F(OP_PING, b"p" * 126)], id="ping-over-125-bytes"),
    pytest.param([F(OP_PING, b"p", fin=False)], id="fragmented-ping"),
    pytest.param([F(OP_CONT, "orphan")], id="continuation-without-start"),
    pytest.param([F(OP_TEXT, "a", fin=False), F(OP_TEXT, "b")], id="new-message-inside-fragmented"),
    pytest.param([F(OP_CLOSE, b"\x03")], id="close-payload-of-1-byte"),
    pytest.param([F(OP_CLOSE, close_payload(999))], id="close-code-999"),
    pytest.param([F(OP_CLOSE, close_payload(1004))], id="close-code-1004"),
    pytest.param([F(OP_CLOSE, close_payload(1005))], id="close-code-1005"),
    pytest.param([F(OP_CLOSE, close_payload(1006))], id="close-code-1006"),
    pytest.param([F(OP_CLOSE, close_payload(2000))], id="close-code-2000"),
    pytest.param([F(OP_CLOSE, close_payload(5000))], id="close-code-5000"),
])
def test_rfc6455_violation_is_closed_with_1002(server, frames):
    run(raw_offence(server, frames, 1002))


def test_ping_inside_a_fragmented_message_is_answered_and_message_completes(server):
    async def scenario():
        alice = await RawWs.join(server, "alice")
        alice.write(F(OP_TEXT, "hel", fin=False))
        alice.write(F(OP_PING, "probe"))
        alice.write(F(OP_CONT, "lo", fin=True))
        frames = [await alice.recv_frame(), await alice.recv_frame()]
        kinds = {f.opcode: f for f in frames}
        assert kinds[OP_PONG].payload == b"probe"
        assert kinds[OP_TEXT].text == "alice: hello"
        alice.close_tcp()
    run(scenario())


def test_unsolicited_pong_is_ignored(server):
    async def scenario():
        alice = await RawWs.join(server, "alice")
        alice.write(F(OP_PONG, "whatever"))
        alice.write(F(OP_TEXT, "after pong"))
        assert await alice.recv_text() == "alice: after pong"
        alice.close_tcp()
    run(scenario())


# ---------------------------------------------------------------- close handshake


@pytest.mark.parametrize("code", [1000, 1001, 3000, 4000, 4999])
def test_client_close_frame_is_answered_with_the_same_code_then_tcp_closed(server, code):
    async def scenario():
        bob = await join(server, "bob")
        alice = await RawWs.join(server, "alice")
        assert await recv(bob) == joined("alice")
        await alice.send_frame(OP_CLOSE, close_payload(code, "bye"))
        reply_code, _, _ = await alice.expect_close()
        assert reply_code == code
        await alice.expect_eof()
        assert await recv(bob) == left("alice")
        await bob.close()
    run(scenario())


def test_client_close_via_websockets_gets_code_echoed(server):
    async def scenario():
        alice = await join(server, "alice")
        await alice.close(4001, "custom")
        assert alice.close_code == 4001
    run(scenario())


def test_messages_after_client_close_frame_are_not_relayed(server):
    async def scenario():
        bob = await join(server, "bob")
        alice = await RawWs.join(server, "alice")
        assert await recv(bob) == joined("alice")
        alice.write(F(OP_CLOSE, close_payload(1000)))
        alice.write(F(OP_TEXT, "ghost"))
        assert (await alice.expect_close())[0] == 1000
        assert await recv(bob) == left("alice")
        assert await sync(bob, "bob") == []
        await bob.close()
    run(scenario())


def test_server_close_frames_are_unmasked_and_text_frames_are_final(server):
    async def scenario():
        alice = await RawWs.join(server, "alice")
        await alice.send_frame(OP_TEXT, "hey")
        frame = await alice.recv_frame()
        assert (frame.opcode, frame.fin, frame.masked, frame.rsv) == (OP_TEXT, True, False, 0)
        await alice.send_frame(OP_BINARY, b"no")
        close = await alice.recv_frame()
        assert close.opcode == OP_CLOSE and not close.masked
        assert struct.unpack("!H", close.payload[:2])[0] == 1003
        alice.close_tcp()
    run(scenario())


def test_server_initiated_close_waits_for_the_clients_close_frame_then_closes_tcp(start_server):
    server = start_server("--threads", "2", "--close-timeout-ms", "5000")

    async def scenario():
        bob = await join(server, "bob")
        alice = await RawWs.join(server, "alice")
        assert await recv(bob) == joined("alice")
        dup = await RawWs.open(server, "/chat/alice")
        code, reason, _ = await dup.expect_close()
        assert (code, reason) == (1003, "Username already exists.")
        await dup.send_frame(OP_CLOSE, close_payload(code))
        await dup.expect_eof(timeout=2)  # well before the 5 s close timeout
        alice.close_tcp()
        await bob.close()
    run(scenario())


def test_server_initiated_close_gives_up_on_a_silent_client_after_the_close_timeout(start_server):
    server = start_server("--threads", "2", "--close-timeout-ms", "500")

    async def scenario():
        alice = await RawWs.join(server, "alice")
        dup = await RawWs.open(server, "/chat/alice")
        code, _, _ = await dup.expect_close()
        assert code == 1003
        started = asyncio.get_running_loop().time()
        await dup.expect_eof(timeout=4)  # never answered: the server closes TCP itself
        assert asyncio.get_running_loop().time() - started >= 0.3
        alice.close_tcp()
    run(scenario())
