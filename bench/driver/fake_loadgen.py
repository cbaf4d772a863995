#!/usr/bin/python3
"""A stand-in for parley-loadgen, to exercise bench/run before the real one is merged:
BENCH_LOADGEN=bench/driver/fake_loadgen.py bench/run --no-build --quick

It checks that the server answers a WebSocket upgrade on the port it was given, then prints
made-up numbers in parley-loadgen's JSON shape: parley 40x faster than the peers, and so on.
FAKE_LOADGEN="node:connect:timeout,beast:fanout:unclean,..." makes chosen runs misbehave:
timeout (JSON saying so, exit 1), unclean (lost messages, exit 1), garbage (not JSON), hang."""
import argparse
import base64
import json
import os
import random
import socket
import sys
import time


def server_kind(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return "unknown"
    for kind in ("parley-beast-peer", "server.mjs", "parley"):
        if kind in cmdline:
            return {"parley-beast-peer": "beast", "server.mjs": "node"}.get(kind, kind)
    return "unknown"


def upgrade_answers(host, port):
    key = base64.b64encode(os.urandom(16)).decode()
    request = (f"GET /chat/fake-loadgen-{os.getpid()} HTTP/1.1\r\nHost: {host}:{port}\r\n"
               "Upgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
    try:
        with socket.create_connection((host, int(port)), timeout=5) as s:
            s.sendall(request.encode())
            return s.recv(4096).startswith(b"HTTP/1.1 101")
    except OSError:
        return False


def main():
    p = argparse.ArgumentParser()
    for name in ("mode", "host", "port"):
        p.add_argument(f"--{name}", required=True)
    for name in ("clients", "senders", "window", "rate", "size", "duration", "warmup",
                 "server-pid", "timeout-s", "rooms", "history", "since-back",
                 "connect-concurrency"):
        p.add_argument(f"--{name}", type=int)
    p.add_argument("--protocol", choices=("legacy", "v1"), default="legacy")
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    kind = server_kind(a.server_pid)
    behaviour = dict((f"{s}:{m}", b) for s, m, b in
                     (x.split(":") for x in os.environ.get("FAKE_LOADGEN", "").split(",") if x))
    mode_of = behaviour.get(f"{kind}:{a.mode}", "")

    speed = {"parley": 40.0, "node": 1.0, "beast": 1.2}.get(kind, 1.0) * random.uniform(0.95, 1.05)
    clients, senders = a.clients or 0, a.senders or 1
    rate = 25_000 * speed * (4 if senders > 1 else 1) * (clients / 100) ** 0.5
    result = {
        "mode": a.mode, "clients": clients, "senders": senders, "size": a.size,
        "duration": a.duration, "messages_sent": int(rate * (a.duration or 1) / max(clients, 1)),
        "deliveries": int(rate * (a.duration or 1)), "deliveries_per_s": rate,
        "latency_us": {"p50": 800 / speed * 40, "p99": 2000 / speed * 40,
                       "p999": 4000 / speed * 40, "max": 9000 / speed * 40},
        "connect_s": 12 / speed, "join_notices": clients * (clients - 1) // 2,
        "rss_before": 10 << 20, "rss_after": (10 << 20) + clients * int(4000 / speed * 9),
        "rss_per_conn_bytes": 4000 / speed * 9, "lost": 0, "out_of_order": 0, "errors": 0,
        "protocol": a.protocol, "rooms": a.rooms or 1, "server_cpu_util": 0.99,
    }
    if a.mode == "storm":
        result.update(storm_s=0.8 * random.uniform(0.9, 1.1), storm_all_s=0.9, resumed=clients,
                      replayed=clients * 1000, replay_min=1000, replay_gaps=clients,
                      storm_server_cpu_s=0.7)
    if not upgrade_answers(a.host, a.port):
        result["errors"] = 1
    if mode_of == "hang":
        time.sleep(3600)
    if mode_of == "garbage":
        print("segfault, or something")
        return 1
    if mode_of == "unclean":
        result["lost"] = 17
    if mode_of == "timeout":
        result.update(timed_out=True, connect_s=None, errors=1)
    print(json.dumps(result))
    return 0 if result["errors"] == 0 and result["lost"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
