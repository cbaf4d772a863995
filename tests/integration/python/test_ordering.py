"""Concurrency: one room order for everyone, per-sender order, nothing lost or duplicated."""
import asyncio
import collections

from parley_client import close_all, connect, greeting, join, joined, left, recv, run, said, receive_until

CLIENTS = 50
MESSAGES = 20


def test_50_clients_x_20_messages_all_delivered_in_one_order(start_server):
    server = start_server("--threads", "2")
    names = [f"u{i:02d}" for i in range(CLIENTS)]

    async def scenario():
        sockets = []
        for name in names:  # join one after another, so the join order is known
            ws = await connect(server, name)
            assert await recv(ws) == greeting(name)
            sockets.append(ws)
        # Each member sees the joins of everyone after it, in join order.
        for i, ws in enumerate(sockets):
            later = [joined(n) for n in names[i + 1:]]
            got = [await recv(ws) for _ in later]
            assert got == later, f"{names[i]} saw joins {got}"

        async def send_all(ws, name):
            for k in range(MESSAGES):
                await ws.send(f"{name}-m{k:02d}")

        async def receive_all(ws):
            return [await recv(ws, 20) for _ in range(CLIENTS * MESSAGES)]

        receivers = [asyncio.create_task(receive_all(ws)) for ws in sockets]
        await asyncio.gather(*(send_all(ws, n) for ws, n in zip(sockets, names)))
        seen = await asyncio.gather(*receivers)

        expected = {said(n, f"{n}-m{k:02d}") for n in names for k in range(MESSAGES)}
        for name, messages in zip(names, seen):
            assert len(messages) == CLIENTS * MESSAGES
            assert set(messages) == expected, f"{name} lost or got foreign messages"
            assert len(set(messages)) == len(messages), f"{name} got duplicates"
            by_sender = collections.defaultdict(list)
            for m in messages:
                sender, text = m.split(": ", 1)
                by_sender[sender].append(text)
            for sender, texts in by_sender.items():
                assert texts == sorted(texts), f"{name} saw {sender}'s messages out of order"
        for name, messages in zip(names[1:], seen[1:]):
            assert messages == seen[0], f"{name} saw a different order than {names[0]}"

        # Nothing extra arrives after the 1,000 messages.
        await sockets[0].send("done")
        for name, ws in zip(names, sockets):
            assert await receive_until(ws, said(names[0], "done")) == [], name
        await close_all(*sockets)
    run(scenario())


def test_joins_messages_and_leaves_are_seen_in_one_order_by_every_member(start_server):
    server = start_server("--threads", "3")
    churners = [f"c{i:02d}" for i in range(15)]

    async def churn(name):
        ws = await connect(server, name)
        assert await recv(ws) == greeting(name)
        await ws.send("hello")
        await receive_until(ws, said(name, "hello"))
        if name.endswith(("1", "3", "5", "7", "9")):
            ws.transport.abort()
        else:
            await ws.close()

    async def observe(ws):
        events = []
        left_count = 0
        while left_count < len(churners):
            message = await recv(ws, 10)
            if message.startswith("c"):
                events.append(message)
                left_count += message.endswith(" left the chat")
        return events

    async def scenario():
        observers = []
        for i in range(4):
            ws = await connect(server, f"obs{i}")
            assert await recv(ws) == greeting(f"obs{i}")
            observers.append(ws)
        for i, ws in enumerate(observers):
            later = [joined(f"obs{j}") for j in range(i + 1, len(observers))]
            assert [await recv(ws) for _ in later] == later
        watching = [asyncio.create_task(observe(ws)) for ws in observers]
        await asyncio.gather(*(churn(n) for n in churners))
        seen = await asyncio.gather(*watching)
        for events in seen[1:]:
            assert events == seen[0], "observers saw different orders"
        events = seen[0]
        for name in churners:
            trio = [joined(name), said(name, "hello"), left(name)]
            assert [e for e in events if e.startswith(name + " ") or e.startswith(name + ":")] == trio
        await close_all(*observers)
    run(scenario())


def test_large_messages_from_many_senders_arrive_intact_and_in_one_order(start_server):
    server = start_server("--threads", "2")
    names = [f"big{i}" for i in range(6)]
    per_sender = 8

    def body(name, k):
        return (f"{name}-{k}:" + chr(0x41 + k) * 40000 + "é" * 1000)

    async def scenario():
        sockets = []
        for name in names:
            sockets.append(await join(server, name))
        for i, ws in enumerate(sockets):
            later = [joined(n) for n in names[i + 1:]]
            assert [await recv(ws) for _ in later] == later

        async def send_all(ws, name):
            for k in range(per_sender):
                await ws.send(body(name, k))

        async def receive_all(ws):
            return [await recv(ws, 20) for _ in range(len(names) * per_sender)]

        receivers = [asyncio.create_task(receive_all(ws)) for ws in sockets]
        await asyncio.gather(*(send_all(ws, n) for ws, n in zip(sockets, names)))
        seen = await asyncio.gather(*receivers)
        expected = sorted(said(n, body(n, k)) for n in names for k in range(per_sender))
        for messages in seen:
            assert sorted(messages) == expected, "a large message was lost, cut or corrupted"
            assert messages == seen[0], "members saw different orders"
            for n in names:
                mine = [m for m in messages if m.startswith(n + ": ")]
                assert mine == [said(n, body(n, k)) for k in range(per_sender)]
        await close_all(*sockets)
    run(scenario())
