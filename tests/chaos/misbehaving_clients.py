"""The chaos test's misbehaving clients, run as a process of their own beside the well-behaved ones:

    /usr/bin/python3 misbehaving_clients.py CHAT_PORT METRICS_URL JWT_SECRET

Each client misbehaves one way and checks the answer it gets (an HTTP status or a close code).
Every client connects from its own loopback address (127.0.x.y), as strangers on the internet do,
except the crowd, which all come from one. Prints one JSON report on stdout:
{"outcomes": {kind: {outcome: count}}, "v1_rate_limited": errors received, "seconds": ...}.
"""
import asyncio
import json
import os
import random
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
for relative in ("../support", "../integration/python"):
    sys.path.insert(0, os.path.normpath(os.path.join(HERE, relative)))

from jwt_tokens import hs256_token  # noqa: E402
from raw_peer import OP_CLOSE, OP_PING, OP_PONG, OP_TEXT, Peer, frame  # noqa: E402

WAIT = 15.0  # any single expected answer (sanitizer builds answer slowly under this load)
LAUNCH_WINDOW = 12.0  # the one-shot misbehaviours start spread over this many seconds

# How many clients misbehave each way. Rooms: lobby (where the well-behaved clients chat),
# firehose (big floods and the slow readers), pit and crowd (nobody else there).
PLAN = {
    "garbage_request": 120,  # random bytes instead of HTTP: 400
    "foreign_origin": 100,  # an upgrade from another site's page: 403
    "slowloris": 100,  # a request trickled a byte at a time: 408
    "bad_token": 80,  # not a JWT, a bad signature, another user's, alg none: 1008
    "expired_token": 20,  # 4001
    "garbage_frames": 50,  # reserved bits and opcodes, unmasked and fragmented control frames: 1002
    "oversized": 100,  # a frame announcing 1 MiB: 1009
    "invalid_utf8": 100,  # 1007
    "flood_lobby": 10,  # legacy, 200 lines at once into the lobby: 1008 after the tolerance
    "flood_firehose": 2,  # legacy, 100 messages of 32 KiB at once: 1008 after the tolerance
    "flood_v1": 10,  # parley.v1, 100 sends at once: rate_limited errors, stays connected
    "slow_reader": 50,  # joins the firehose and never reads: closed 1008 as a slow consumer
    "half_open": 120,  # joins the lobby, then never sends a byte (no pong): dropped, no close frame
    "churn": 30,  # each connects to the lobby and leaves 10 times, by close frame or by RST
    "crowd": 110,  # 110 connections at once from one address: beyond limits.connections_per_ip
}
CHURN_CYCLES = 10
CROWD_ADDRESS = "127.0.200.1"
FIREHOSE_MESSAGE = 32 * 1024
PING_INTERVAL_S = float(os.environ.get("CHAOS_PING_INTERVAL_S", "2"))


class Chaos:
    def __init__(self, port, metrics_url, secret):
        self.port = port
        self.metrics_url = metrics_url
        self.secret = secret
        self.outcomes = {}
        self.v1_rate_limited = 0
        self.next_address = 0
        self.slow_readers_joined = asyncio.Event()
        self.slow_readers_waiting = PLAN["slow_reader"]
        self.slow_consumers_closed = asyncio.Event()
        self.crowd_done = asyncio.Event()
        self.crowd_pending = PLAN["crowd"]

    def address(self):
        """A loopback address no other misbehaving client uses."""
        k = self.next_address
        self.next_address += 1
        return f"127.0.{1 + k // 250}.{1 + k % 250}"

    def token(self, name, lifetime=3600):
        return hs256_token({"sub": name, "exp": int(time.time()) + lifetime}, self.secret)

    def chat_path(self, name, room, token=None):
        return f"/chat/{name}?room={room}&token={token or self.token(name)}"

    def record(self, kind, outcome):
        tally = self.outcomes.setdefault(kind, {})
        tally[str(outcome)] = tally.get(str(outcome), 0) + 1

    async def run_one(self, kind, coroutine):
        try:
            outcome = await coroutine
        except Exception as exc:  # noqa: BLE001 - the report says what went wrong
            outcome = f"error {type(exc).__name__}: {exc}"
        self.record(kind, outcome)

    async def joined_legacy(self, name, room, source_ip, receive_buffer=None):
        """A legacy member of `room` (its greeting read), or a string saying why not."""
        peer = await Peer.open(self.port, source_ip, WAIT, receive_buffer)
        status = await peer.upgrade(self.chat_path(name, room), WAIT)
        if status != 101:
            peer.close()
            return f"upgrade {status}"
        opcode, _ = await peer.recv_frame(WAIT)
        if opcode != OP_TEXT:
            peer.close()
            return f"opcode {opcode} instead of the greeting"
        return peer

    # ------------------------------------------------------------ before the upgrade

    async def garbage_request(self, i):
        peer = await Peer.open(self.port, self.address(), WAIT)
        junk = bytes(b for b in os.urandom(400) if b not in b"\r\n")[:200]
        await peer.send(junk + b"\r\n\r\n")
        status = await peer.response_status(WAIT)
        peer.close()
        return status

    async def foreign_origin(self, i):
        peer = await Peer.open(self.port, self.address(), WAIT)
        name = f"origin-{i}"
        status = await peer.upgrade(self.chat_path(name, "pit"), WAIT,
                                    {"Origin": "https://evil.example"})
        peer.close()
        return status

    async def slowloris(self, i):
        peer = await Peer.open(self.port, self.address(), WAIT)
        request = peer.upgrade_request(self.chat_path(f"loris-{i}", "pit"))
        answer = asyncio.ensure_future(peer.response_status(WAIT))
        try:
            for byte in request:
                if answer.done():
                    break
                peer.write(bytes([byte]))
                await asyncio.sleep(0.1)  # the misbehaviour itself: 10 bytes a second
            return await answer
        except (ConnectionError, OSError):
            return await answer
        finally:
            peer.close()

    async def refused_token(self, name, token):
        peer = await Peer.open(self.port, self.address(), WAIT)
        status = await peer.upgrade(self.chat_path(name, "pit", token), WAIT)
        if status != 101:
            peer.close()
            return f"upgrade {status}"
        answer = await peer.close_frame(WAIT)
        peer.close()
        return answer

    async def bad_token(self, i):
        name = f"forger-{i}"
        good = self.token(name)
        header, payload, signature = good.split(".")
        forgeries = [
            "not-a-jwt",
            f"{header}.{payload}.{signature[:-4]}AAAA",  # a bad signature
            self.token(f"victim-{i}"),  # another user's token
            hs256_token({"sub": name}, "not-the-secret"),
            hs256_token({"sub": name}, self.secret, alg="none"),
        ]
        answer = await self.refused_token(name, forgeries[i % len(forgeries)])
        return answer.split(":", 1)[0]  # "1008 Invalid token: <which check failed>"

    async def expired_token(self, i):
        name = f"late-{i}"
        return await self.refused_token(name, self.token(name, lifetime=-60))

    # ------------------------------------------------------------ bad frames

    async def bad_frame(self, name, data):
        peer = await self.joined_legacy(name, "pit", self.address())
        if isinstance(peer, str):
            return peer
        try:
            await peer.send(data)
        except (ConnectionError, OSError):
            pass
        answer = await peer.close_frame(WAIT)
        peer.close()
        return answer

    async def garbage_frames(self, i):
        violations = [
            frame(OP_TEXT, "x", rsv=7),  # reserved bits without an extension
            frame(0x3, "x"),  # a reserved data opcode
            frame(0xB, "x"),  # a reserved control opcode
            frame(OP_TEXT, "unmasked", mask=False),
            frame(OP_PING, "x", fin=False),  # a fragmented control frame
            frame(OP_PING, b"x" * 126),  # a control frame over 125 bytes
            frame(0x0, "a continuation of nothing"),
        ]
        answer = await self.bad_frame(f"garbage-{i}", violations[i % len(violations)])
        return answer.split(" ", 1)[0]  # the reason says which rule was broken

    async def oversized(self, i):
        return await self.bad_frame(f"big-{i}", frame(OP_TEXT, b"", length=1 << 20))

    async def invalid_utf8(self, i):
        texts = [b"caf\xc3", b"\xff\xfe", b"\xed\xa0\x80 a surrogate", b"\xc0\xaf overlong"]
        return await self.bad_frame(f"utf8-{i}", frame(OP_TEXT, texts[i % len(texts)]))

    # ------------------------------------------------------------ floods

    async def legacy_flood(self, name, room, message, count):
        peer = await self.joined_legacy(name, room, self.address())
        if isinstance(peer, str):
            return peer
        peer.write(b"".join(frame(OP_TEXT, message) for _ in range(count)))
        answer = await peer.close_frame(WAIT)  # reads everything the room sends meanwhile
        peer.close()
        return answer

    async def flood_lobby(self, i):
        return await self.legacy_flood(f"spammer-{i}", "lobby", f"spam from spammer-{i}", 200)

    async def flood_firehose(self, i):
        await asyncio.wait_for(self.slow_readers_joined.wait(), 4 * WAIT)
        return await self.legacy_flood(f"hose-{i}", "firehose", os.urandom(FIREHOSE_MESSAGE // 2)
                                       .hex(), 100)

    async def flood_v1(self, i):
        name = f"v1spam-{i}"
        peer = await Peer.open(self.port, self.address(), WAIT)
        status = await peer.upgrade(f"/chat/{name}?room=lobby", WAIT, {
            "Sec-WebSocket-Protocol": f"parley.v1, bearer.{self.token(name)}"})
        if status != 101:
            peer.close()
            return f"upgrade {status}"
        while True:  # a send before the lobby's `joined` would be refused as not_joined
            opcode, payload = await peer.recv_frame(WAIT)
            if opcode != OP_TEXT:
                return f"opcode {opcode} before joined"
            if json.loads(payload)["type"] == "joined":
                break
        sends = 100
        peer.write(b"".join(
            frame(OP_TEXT, json.dumps({"type": "send", "room": "lobby", "text": f"spam {k}",
                                       "client_id": f"{name}-{k}"})) for k in range(sends)))
        said = limited = 0
        while said + limited < sends:
            opcode, payload = await peer.recv_frame(WAIT)
            if opcode == OP_CLOSE:
                return f"closed {payload[:2].hex()} {payload[2:].decode()}"
            event = json.loads(payload)
            if event["type"] == "message" and event.get("from") == name:
                said += 1
            elif event["type"] == "error":
                if event["code"] != "rate_limited":
                    return f"error {event['code']}"
                limited += 1
        self.v1_rate_limited += limited
        await peer.send(frame(OP_CLOSE, b"\x03\xe8"))
        answer = await peer.close_frame(WAIT)
        peer.close()
        return f"limited, closed {answer}" if limited else f"never limited, closed {answer}"

    # ------------------------------------------------------------ readers that do not read

    async def slow_reader(self, i):
        # A 4 KiB receive window: the server's socket buffer fills, then its output queue grows.
        peer = await self.joined_legacy(f"sloth-{i}", "firehose", self.address(), 4096)
        self.slow_readers_waiting -= 1
        if self.slow_readers_waiting == 0:
            self.slow_readers_joined.set()
        if isinstance(peer, str):
            return peer
        # Alive but not reading: unsolicited pongs (RFC 6455 5.5.3) keep the keep-alive from
        # dropping it first, however long the floods take to arrive.
        while not self.slow_consumers_closed.is_set():
            try:
                await peer.send(frame(OP_PONG))
            except (ConnectionError, OSError):
                break
            try:
                await asyncio.wait_for(self.slow_consumers_closed.wait(), PING_INTERVAL_S / 4)
            except asyncio.TimeoutError:
                pass
        answer = await peer.close_frame(WAIT)  # what was on its way, then the close frame
        peer.close()
        return answer

    async def count_slow_consumer_closes(self):
        """Sets slow_consumers_closed once the server has counted every slow reader."""
        before = await asyncio.to_thread(self.scrape, "parley_slow_consumer_closes_total")
        deadline = time.monotonic() + 6 * WAIT
        while time.monotonic() < deadline:
            now = await asyncio.to_thread(self.scrape, "parley_slow_consumer_closes_total")
            if now - before >= PLAN["slow_reader"]:
                break
            await asyncio.sleep(0.2)  # polling the metrics endpoint
        self.slow_consumers_closed.set()

    def scrape(self, name):
        with urllib.request.urlopen(self.metrics_url, timeout=WAIT) as response:
            for line in response.read().decode().splitlines():
                if line.startswith(name + " "):
                    return float(line.split()[1])
        return 0.0

    async def half_open(self, i):
        peer = await self.joined_legacy(f"ghost-{i}", "lobby", self.address())
        if isinstance(peer, str):
            return peer
        # Never a byte more from this side, not even a pong: the server pings after
        # limits.ping_interval_ms and drops the connection after another interval.
        peer.answer_pings = False
        opcodes = await peer.eof(4 * PING_INTERVAL_S + WAIT)
        peer.close()
        if OP_CLOSE in opcodes:
            return "closed with a close frame"
        return "dropped after a ping" if OP_PING in opcodes else "dropped without a ping"

    # ------------------------------------------------------------ many connections

    async def churn(self, i):
        source = self.address()
        for cycle in range(CHURN_CYCLES):
            await self.run_one("churn", self.churn_once(f"churn-{i}-{cycle}", source, cycle % 2))

    async def churn_once(self, name, source, reset):
        peer = await self.joined_legacy(name, "lobby", source)
        if isinstance(peer, str):
            return peer
        if reset:
            peer.abort()
            return "reset"
        await peer.send(frame(OP_CLOSE, b"\x03\xe8"))
        answer = await peer.close_frame(WAIT)
        peer.close()
        return answer

    async def crowd(self, i):
        peer = await Peer.open(self.port, CROWD_ADDRESS, WAIT)
        status = await peer.upgrade(self.chat_path(f"crowd-{i}", "crowd"), WAIT)
        self.crowd_pending -= 1
        if self.crowd_pending == 0:
            self.crowd_done.set()
        # Everyone holds on until the whole crowd has tried, so the per-address cap is reached.
        await asyncio.wait_for(self.crowd_done.wait(), 2 * WAIT)
        peer.close()
        return status

    # ------------------------------------------------------------ the run

    async def run(self):
        started = time.monotonic()
        tasks = [asyncio.ensure_future(self.count_slow_consumer_closes())]

        def launch(kind, i, delay=0.0):
            async def later():
                await asyncio.sleep(delay)  # spreading the load, not synchronising
                if kind == "churn":
                    await self.churn(i)
                else:
                    await self.run_one(kind, getattr(self, kind)(i))
            tasks.append(asyncio.ensure_future(later()))

        for kind in ("slow_reader", "crowd", "flood_firehose"):
            for i in range(PLAN[kind]):
                launch(kind, i)
        spread = [(kind, i) for kind, count in PLAN.items()
                  if kind not in ("slow_reader", "crowd", "flood_firehose") for i in range(count)]
        random.Random(12).shuffle(spread)
        for n, (kind, i) in enumerate(spread):
            launch(kind, i, LAUNCH_WINDOW * n / len(spread))
        await asyncio.gather(*tasks)
        return {"outcomes": self.outcomes, "v1_rate_limited": self.v1_rate_limited,
                "seconds": round(time.monotonic() - started, 1)}


def main():
    port, metrics_url, secret = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    report = asyncio.run(Chaos(port, metrics_url, secret).run())
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()
