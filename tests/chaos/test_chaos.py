"""The chaos test (SECURITY.md): while 100 well-behaved clients chat in the lobby, over 1,000
misbehaving ones (misbehaving_clients.py, a process of their own) send garbage, oversized frames,
invalid UTF-8, floods, bad tokens and foreign Origins, trickle requests, stop reading, stop
answering, churn, and crowd one address.

Pass: every well-behaved client receives every well-behaved message, each sender's in the order
sent (the parley.v1 ones also every id of the lobby, consecutive), and none is dropped; every
misbehaving client gets the documented answer; every misbehaviour is logged once and counted under
its metric, exactly where the count is exact; the server's RSS stays under RSS_BOUND_MIB; the server is
still up and holds only the good clients' connections at the end.

The server runs with its default limits, except two timers shortened so that the test is bounded:
ping interval 2 s (a silent client is dropped after 4 s) and slow-consumer grace 1 s.
"""
import asyncio
import json
import os
import random
import re
import sys
import threading
import time

import pytest
import websockets

HERE = os.path.dirname(os.path.abspath(__file__))
for relative in ("../support", "../integration/python"):
    path = os.path.normpath(os.path.join(HERE, relative))
    if path not in sys.path:
        sys.path.insert(0, path)

from jwt_tokens import hs256_token  # noqa: E402
from metrics_scrape import delta, metrics_url, scrape, value, wait_for_scrape  # noqa: E402
from parley_client import greeting, track  # noqa: E402
from parley_server import ParleyServer, built_with_memory_checker  # noqa: E402
from v1_client import SUBPROTOCOL, V1Client  # noqa: E402

import misbehaving_clients  # noqa: E402
from misbehaving_clients import PLAN, CHURN_CYCLES  # noqa: E402

SECRET = "chaos-secret-0123456789"
GOOD = 100  # well-behaved clients, the first V1_GOOD of them parley.v1, the others legacy
V1_GOOD = 30
MESSAGES = 12  # each good client says this many lines, one every SEND_INTERVAL_S on average
SEND_INTERVAL_S = 1.7
WAIT = 30.0  # the longest a good client may wait for its next frame
# RSS bound for the release build. Measured peak about 25 MiB: the firehose's floods (frames
# shared by every recipient), some 1,300 connections' buffers and SQLite's cache.
RSS_BOUND_MIB = 64

SERVER_ARGS = (
    "--threads", "2", "--auth-jwt-secret", SECRET,
    "--metrics-enabled", "--metrics-port", "0", "--metrics-bind", "127.0.0.1",
    "--limits-ping-interval-ms", "2000", "--limits-slow-consumer-grace-ms", "1000",
)

# Each misbehaviour's answer, as its client sees it, and the rejection reason that counts it.
EXPECTED = {
    "garbage_request": ("400", "http_bad_request"),
    "foreign_origin": ("403", "http_forbidden_origin"),
    "slowloris": ("408", "http_slow_request"),
    "bad_token": ("1008 Invalid token", "auth_invalid_token"),
    "expired_token": ("4001 Token expired.", "auth_token_expired"),
    "garbage_frames": ("1002", "ws_protocol_error"),
    "oversized": ("1009 Message too big.", "ws_message_too_big"),
    "invalid_utf8": ("1007 Invalid UTF-8 in text message.", "ws_invalid_utf8"),
    "flood_lobby": ("1008 Too many messages.", "chat_rate_limited"),
    "flood_firehose": ("1008 Too many messages.", "chat_rate_limited"),
    "flood_v1": ("limited, closed 1000", None),
    "slow_reader": ("1008 Too slow: too much output left unread.", None),
    "half_open": ("dropped after a ping", None),
}
# The server's one log line for each misbehaving client (a regular expression), by kind.
LOGGED = {
    "garbage_request": r"rejected request: 400 ",
    "foreign_origin": r"rejected request: 403 Origin https://evil\.example is not allowed",
    "slowloris": r"rejected request: 408 .* slower than",
    "bad_token": r"refused join: Invalid token: ",
    "expired_token": r"refused join: Token expired\.",
    "garbage_frames": r"broke the protocol: 1002 ",
    "oversized": r"broke the protocol: 1009 Message too big\.",
    "invalid_utf8": r"broke the protocol: 1007 Invalid UTF-8",
    "slow_reader": r"slow consumer: .* closing it",
    "half_open": r"closing a connection that answered no ping",
}
LEGACY_FLOOD_LOGGED = r"sent more than \d+ messages a second; closing with 1008"
V1_FLOOD_LOGGED = r"refused a request from v1spam-\d+: rate_limited"
CROWD_LOGGED = r"rejected request: 429 127\.0\.200\.1 "
REJECTION_REASONS = (
    "http_bad_request", "http_body_too_large", "http_request_timeout", "http_no_request_timeout",
    "http_method_not_allowed", "http_upgrade_required", "http_forbidden_origin",
    "http_too_many_connections", "http_accept_rate_limited", "http_too_many_headers",
    "http_slow_request", "ws_protocol_error", "ws_invalid_utf8", "ws_message_too_big",
    "ws_invalid_deflate", "chat_binary_message", "chat_invalid_join", "chat_duplicate_username",
    "chat_rate_limited", "auth_invalid_token", "auth_token_expired", "chat_unavailable",
)


class RssSampler:
    """The server's resident set size, sampled every 50 ms on a thread; `peak` in bytes."""

    def __init__(self, pid):
        self.pid = pid
        self.peak = 0
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.sample, daemon=True)
        self.thread.start()

    def sample(self):
        page = os.sysconf("SC_PAGE_SIZE")
        while not self.stopped.wait(0.05):
            try:
                with open(f"/proc/{self.pid}/statm") as statm:
                    self.peak = max(self.peak, int(statm.read().split()[1]) * page)
            except (FileNotFoundError, ProcessLookupError):
                return

    def stop(self):
        self.stopped.set()
        self.thread.join()


class GoodClient:
    """A well-behaved chatter: says MESSAGES numbered lines, and checks it receives every good
    client's lines, each sender's in order, while it is connected (it must stay connected)."""

    def __init__(self, index):
        self.name = f"good-{index:03d}"
        self.v1 = index < V1_GOOD
        # Ten good clients per loopback address, well within limits.connections_per_ip.
        self.source = f"127.0.0.{2 + index // 10}"
        self.next_seq = {}  # sender -> the number of the line expected next from it
        self.received = 0
        self.ws = None
        self.client = None

    async def connect(self, server):
        token = hs256_token({"sub": self.name, "exp": int(time.time()) + 3600}, SECRET)
        options = {"local_addr": (self.source, 0)}
        if self.v1:
            self.client = await V1Client.open(
                server, self.name, subprotocols=(SUBPROTOCOL, f"bearer.{token}"), **options)
            self.ws = self.client.ws
        else:
            self.ws = track(await websockets.connect(
                f"{server.url}/chat/{self.name}?token={token}", open_timeout=WAIT,
                close_timeout=5, compression=None, ping_interval=None, max_size=None,
                max_queue=None, **options))
            assert await asyncio.wait_for(self.ws.recv(), WAIT) == greeting(self.name)

    async def say_all(self, rng):
        for seq in range(1, MESSAGES + 1):
            await asyncio.sleep(rng.uniform(0.5, 1.5) * SEND_INTERVAL_S)  # a person's pace
            text = f"n{seq}"
            if self.v1:
                await self.client.send({"type": "send", "room": "lobby", "text": text})
            else:
                await self.ws.send(text)

    def check(self, sender, text):
        if not sender.startswith("good-"):
            return
        seq = int(text[1:])
        expected = self.next_seq.get(sender, 1)
        assert seq == expected, f"{self.name} got line {seq} of {sender}, expected {expected}"
        self.next_seq[sender] = seq + 1
        self.received += 1

    async def receive_all(self):
        while self.received < GOOD * MESSAGES:
            if self.v1:
                event = await self.client.recv(WAIT)  # also checks the lobby's ids, consecutive
                if event["type"] == "message":
                    self.check(event["from"], event["text"])
            else:
                line = await asyncio.wait_for(self.ws.recv(), WAIT)
                sender, separator, text = line.partition(": ")
                if separator:
                    self.check(sender, text)


async def misbehave(server):
    """Runs the misbehaving clients' process; returns its report."""
    process = await asyncio.create_subprocess_exec(
        "/usr/bin/python3", misbehaving_clients.__file__, str(server.port),
        metrics_url(server), SECRET,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        out, err = await asyncio.wait_for(process.communicate(), 200)
    except asyncio.TimeoutError:
        process.kill()
        raise
    assert process.returncode == 0, f"the misbehaving clients failed:\n{err.decode()}"
    return json.loads(out)


async def chat_through_chaos(server):
    good = [GoodClient(i) for i in range(GOOD)]
    await asyncio.gather(*(client.connect(server) for client in good))
    before = await asyncio.to_thread(scrape, server)
    rng = random.Random(7)
    chaos = asyncio.ensure_future(misbehave(server))
    await asyncio.gather(*(client.say_all(random.Random(rng.random())) for client in good),
                         *(client.receive_all() for client in good))
    report = await chaos
    for client in good:
        assert client.next_seq == {c.name: MESSAGES + 1 for c in good}, client.name
    # Every misbehaving connection is gone (the half-open ones dropped); the good ones stay.
    after = await asyncio.to_thread(
        wait_for_scrape, server, lambda s: value(s, "parley_connections_open") == GOOD,
        "only the good clients' connections to remain", 30)
    await asyncio.gather(*(client.ws.close() for client in good))
    return before, after, report


def log_counts(server):
    """How many of the server's lines match each pattern of LOGGED, and the flood and crowd ones."""
    patterns = dict(LOGGED, legacy_flood=LEGACY_FLOOD_LOGGED, flood_v1=V1_FLOOD_LOGGED,
                    crowd=CROWD_LOGGED)
    compiled = {kind: re.compile(pattern) for kind, pattern in patterns.items()}
    counts = dict.fromkeys(patterns, 0)
    for line in list(server.lines):
        for kind, regex in compiled.items():
            if regex.search(line):
                counts[kind] += 1
    return counts


def logged_once(server, report):
    """Waits until the server has logged each misbehaving client exactly once (its output reaches
    the test through a pipe); returns the counts that did not match."""
    expected = {kind: PLAN[kind] for kind in LOGGED}
    expected["legacy_flood"] = PLAN["flood_lobby"] + PLAN["flood_firehose"]
    expected["flood_v1"] = report["v1_rate_limited"]
    expected["crowd"] = report["outcomes"]["crowd"].get("429", 0)
    deadline = time.monotonic() + 10
    while True:
        counts = log_counts(server)
        if counts == expected or time.monotonic() > deadline:
            return {kind: (counts[kind], n) for kind, n in expected.items() if counts[kind] != n}
        time.sleep(0.05)  # polling the captured output


def expected_outcomes(report):
    problems = []
    outcomes = report["outcomes"]
    for kind, (answer, _) in EXPECTED.items():
        if outcomes.get(kind) != {answer: PLAN[kind]}:
            problems.append(f"{kind}: expected {PLAN[kind]} x {answer}, got {outcomes.get(kind)}")
    churn = {"1000": PLAN["churn"] * CHURN_CYCLES // 2, "reset": PLAN["churn"] * CHURN_CYCLES // 2}
    if outcomes.get("churn") != churn:
        problems.append(f"churn: expected {churn}, got {outcomes.get('churn')}")
    crowd = outcomes.get("crowd", {})
    if set(crowd) - {"101", "429"} or crowd.get("429", 0) < PLAN["crowd"] - 100:
        problems.append(f"crowd: expected at most 100 x 101, the rest 429, got {crowd}")
    return problems


@pytest.mark.timeout(300)
def test_well_behaved_clients_lose_nothing_while_a_thousand_misbehave():
    with ParleyServer(*SERVER_ARGS) as server:
        rss = RssSampler(server.proc.pid)
        try:
            before, after, report = asyncio.run(chat_through_chaos(server))
        finally:
            rss.stop()
        print("misbehaving clients:", json.dumps(report))
        print(f"peak RSS {rss.peak / 2**20:.1f} MiB")
        assert not expected_outcomes(report), "\n".join(expected_outcomes(report))
        assert not logged_once(server, report), f"(logged, expected): {logged_once(server, report)}"

        def rejected(reason):
            return delta(before, after, "parley_rejected_inputs_total", reason=reason)

        counted = {reason: rejected(reason) for reason in REJECTION_REASONS}
        expected = {reason: 0 for reason in REJECTION_REASONS}
        for kind, (_, reason) in EXPECTED.items():
            if reason:
                expected[reason] += PLAN[kind]
        crowd_refused = report["outcomes"]["crowd"].get("429", 0)
        crowd_counted = counted.pop("http_too_many_connections") + counted.pop(
            "http_accept_rate_limited")
        for reason in ("http_too_many_connections", "http_accept_rate_limited"):
            expected.pop(reason)
        assert (counted, crowd_counted) == (expected, crowd_refused)

        assert delta(before, after, "parley_slow_consumer_closes_total") == PLAN["slow_reader"]
        v1_refused = report["v1_rate_limited"]
        assert delta(before, after, "parley_protocol_errors_total", code="rate_limited") \
            == v1_refused
        # Each legacy flooder: its tolerated messages (limits.legacy_rate_tolerance, 10) and the
        # one that closed it, at least (tokens refilled meanwhile may stretch the tolerance).
        legacy_floods = PLAN["flood_lobby"] + PLAN["flood_firehose"]
        assert delta(before, after, "parley_messages_rate_limited_total") - v1_refused \
            >= legacy_floods * 11
        # Dropped without a close frame: the half-open ones, the churners' resets and the crowd
        # (which just closed its sockets).
        crowd_in = report["outcomes"]["crowd"].get("101", 0)
        assert delta(before, after, "parley_websocket_closes_total", code="1006") \
            == PLAN["half_open"] + PLAN["churn"] * CHURN_CYCLES // 2 + crowd_in
        assert delta(before, after, "parley_websocket_closes_total", code="1000") \
            == PLAN["churn"] * CHURN_CYCLES // 2 + PLAN["flood_v1"]

        if not built_with_memory_checker():
            assert rss.peak < RSS_BOUND_MIB * 2**20, f"peak RSS {rss.peak / 2**20:.1f} MiB"
        assert server.proc.poll() is None, "the server exited"
        server.stop()  # also fails on a sanitizer report
