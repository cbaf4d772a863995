#!/usr/bin/python3
"""Checks that a chat server speaks the tutorial's legacy protocol exactly as Parley does.

Usage: /usr/bin/python3 bench/peers/check_peer.py CMD [ARGS...]
  e.g. check_peer.py build/release/parley --port 0 --bind 127.0.0.1
       check_peer.py node bench/peers/node/server.mjs --port 0
       check_peer.py build/release/bench/peers/beast/parley-beast-peer --port 0

Starts CMD, reads the port from its "listening on http://ADDR:PORT/" line, runs the checks,
stops it, and exits 1 on the first mismatch. Needs Debian's python3-websockets (/usr/bin/python3).
"""
import asyncio
import re
import subprocess
import sys
import threading

import websockets

LISTENING = re.compile(r"listening on http://([^\s/]+):(\d+)/")
TIMEOUT_S = 5


class mismatch(Exception):
    pass


def start_server(cmd):
    """Starts cmd and returns (process, port) once it prints its listening line."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    found = threading.Event()
    port = []

    def drain():  # keep reading: a full pipe would stall a server that logs every join
        for line in proc.stdout:
            match = LISTENING.search(line)
            if match and not found.is_set():
                port.append(int(match.group(2)))
                found.set()
        found.set()

    threading.Thread(target=drain, daemon=True).start()
    if not found.wait(15) or not port:
        proc.kill()
        raise mismatch(f"no 'listening on http://ADDR:PORT/' line from {cmd}")
    return proc, port[0]


def stop_server(proc):
    proc.terminate()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def others(members, name):
    return {k: v for k, v in members.items() if k != name}


class checker:
    def __init__(self, port):
        self.base = f"ws://127.0.0.1:{port}/chat/"
        self.passed = 0

    def ok(self, what):
        self.passed += 1
        print(f"  ok   {what}")

    async def connect(self, path):
        return await websockets.connect(self.base + path, compression=None, max_queue=None)

    async def expect(self, ws, text, who):
        try:
            got = await asyncio.wait_for(ws.recv(), TIMEOUT_S)
        except asyncio.TimeoutError:
            raise mismatch(f"{who}: waited {TIMEOUT_S} s for {text!r}, got nothing")
        except websockets.ConnectionClosed as closed:
            raise mismatch(f"{who}: connection closed ({closed}) while waiting for {text!r}")
        if got != text:
            raise mismatch(f"{who}: expected {text!r}, got {got!r}")

    async def expect_all(self, members, text):
        await asyncio.gather(*(self.expect(ws, text, who) for who, ws in members.items()))

    async def join(self, name, path):
        ws = await self.connect(path)
        await self.expect(ws, f"Hi {name}! You have successfully connected to the chat", name)
        return ws

    async def run(self):
        m = {}
        m["alice"] = await self.join("alice", "alice?age=30")
        self.ok("greeting: 'Hi alice! You have successfully connected to the chat'")

        m["bob"] = await self.join("bob", "bob")
        await self.expect(m["alice"], "bob connected to chat", "alice")
        self.ok("join notice without age to the others, not to the newcomer")

        m["carol"] = await self.join("carol", "carol?age=30")
        await self.expect_all(others(m, "carol"), "carol with age 30 connected to chat")
        self.ok("join notice with age: 'carol with age 30 connected to chat'")

        m["Jürgen"] = await self.join("Jürgen", "J%C3%BCrgen")
        await self.expect_all(others(m, "Jürgen"), "Jürgen connected to chat")
        self.ok("percent-decoded username (J%C3%BCrgen is Jürgen)")

        await m["bob"].send("hello, room")
        await self.expect_all(m, "bob: hello, room")
        self.ok("a message goes to everyone, sender included: 'bob: hello, room'")

        await self.check_duplicate(m)
        await self.check_one_order(m)

        await m.pop("carol").close()
        await self.expect_all(m, "carol left the chat")
        self.ok("leave notice: 'carol left the chat'")

        m["carol"] = await self.join("carol", "carol")
        await self.expect_all(others(m, "carol"), "carol connected to chat")
        self.ok("a name is free again once its holder has left")

        for ws in m.values():
            await ws.close()

    async def check_duplicate(self, m):
        dup = await self.connect("alice")
        try:
            await asyncio.wait_for(dup.wait_closed(), TIMEOUT_S)
        except asyncio.TimeoutError:
            raise mismatch("duplicate 'alice' was not closed")
        if (dup.close_code, dup.close_reason) != (1003, "Username already exists."):
            raise mismatch(f"duplicate: expected close 1003 'Username already exists.', got "
                           f"{dup.close_code} {dup.close_reason!r}")
        # Nobody may have seen a join or leave notice for the rejected duplicate.
        await m["carol"].send("after the duplicate")
        await self.expect_all(m, "carol: after the duplicate")
        self.ok("duplicate username: close 1003 'Username already exists.', no notices")

    async def check_one_order(self, m, per_sender=50):
        async def send_all(name):
            for i in range(per_sender):
                await m[name].send(f"{name[0]}{i}")

        async def collect(ws):
            return [await asyncio.wait_for(ws.recv(), TIMEOUT_S) for _ in range(2 * per_sender)]

        collecting = [asyncio.ensure_future(collect(ws)) for ws in m.values()]
        await asyncio.gather(send_all("alice"), send_all("bob"))
        try:
            seen = await asyncio.gather(*collecting)
        except asyncio.TimeoutError:
            raise mismatch("concurrent senders: a member did not get every message")
        if any(s != seen[0] for s in seen):
            raise mismatch("concurrent senders: members saw different orders")
        for name in ("alice", "bob"):
            mine = [t for t in seen[0] if t.startswith(f"{name}: ")]
            if mine != [f"{name}: {name[0]}{i}" for i in range(per_sender)]:
                raise mismatch(f"concurrent senders: {name}'s messages out of order or missing")
        self.ok("two concurrent senders: every member sees one order, each sender's order kept")


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    cmd = argv[1:]
    print(f"check_peer: {' '.join(cmd)}")
    try:
        proc, port = start_server(cmd)
    except (mismatch, OSError) as error:
        print(f"  FAIL {error}")
        return 1
    check = checker(port)
    try:
        asyncio.run(check.run())
    except (mismatch, OSError, websockets.WebSocketException) as error:
        print(f"  FAIL {error}")
        return 1
    finally:
        stop_server(proc)
    print(f"check_peer: all {check.passed} checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
