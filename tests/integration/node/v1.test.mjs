// parley.v1 spoken by Node's `ws`: negotiation, a chat between two v1 clients and a legacy one
// in one room, and a `since` replay after a reconnect. Events are parsed and their fields checked
// here; the Python suite validates every frame against docs/protocol.schema.json.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { ChatClient, join, closeAll, serverPool, greeting, joined, left } from './chat_client.mjs';

const pool = serverPool();
after(() => pool.stopAll());

const TS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

// A ChatClient speaking parley.v1: events() parses every text frame received.
function v1(server, name, query) {
  const url = `${server.url}/chat/${name}${query ? `?${query}` : ''}`;
  const c = new ChatClient(url, { protocols: ['chat', 'parley.v1'] });
  c.name = name;
  c.events = () => c.messages.map((m) => JSON.parse(m));
  // Resolves with the first event at index >= from that matches `fields`; returns its index.
  c.waitFor = async (fields, from = 0) => {
    const matches = (e) => Object.entries(fields).every(([k, v]) => e[k] === v);
    const found = () => {
      const i = c.events().findIndex((e, j) => j >= from && matches(e));
      return i >= 0 ? { i } : null;
    };
    const what = `event ${JSON.stringify(fields)}; have ${c.messages.slice(from)}`;
    return (await c.until(found, what)).i;
  };
  c.say = (room, text) => c.send(JSON.stringify({ type: 'send', room, text }));
  return c;
}

// Checks the fields every stored event has.
function assertStored(e, room) {
  assert.ok(['message', 'join', 'leave'].includes(e.type), JSON.stringify(e));
  assert.ok(Number.isInteger(e.id) && e.id >= 1, JSON.stringify(e));
  assert.match(e.ts, TS);
  assert.equal(e.room, room);
}

test('parley.v1 among the offers is echoed; other offers or none get legacy', async () => {
  const server = await pool.start();
  const alice = v1(server, 'alice');
  const other = new ChatClient(`${server.url}/chat/bob`, { protocols: ['chat'] });
  const legacy = new ChatClient(`${server.url}/chat/carol`);
  try {
    await alice.opened;
    assert.equal(alice.ws.protocol, 'parley.v1');
    assert.equal(alice.upgradeResponse.headers['sec-websocket-protocol'], 'parley.v1');
    await alice.waitFor({ type: 'joined', room: 'lobby' });
    const [hello] = alice.events();
    assert.equal(hello.type, 'hello');
    assert.equal(hello.user, 'alice');
    assert.equal(hello.protocol, 'parley.v1');

    // An offer without parley.v1: the server's 101 names no subprotocol (the legacy protocol),
    // which `ws` itself refuses for an offer ("Server sent no subprotocol").
    await assert.rejects(other.opened, /Server sent no subprotocol/);

    await legacy.opened;
    assert.equal(legacy.ws.protocol, '');
    assert.equal(legacy.upgradeResponse.headers['sec-websocket-protocol'], undefined);
    await legacy.waitForMessage(greeting('carol'));
  } finally {
    await closeAll([alice, other, legacy]);
  }
});

test('two v1 clients and a legacy client chat in one room', async () => {
  const server = await pool.start();
  const clients = [];
  try {
    const carol = await join(server, 'carol', { query: 'room=dev' });
    clients.push(carol);
    const alice = v1(server, 'alice', 'room=dev&age=30');
    clients.push(alice);
    await alice.waitFor({ type: 'joined', room: 'dev' });
    await carol.waitForMessage(joined('alice', 30));
    const bob = v1(server, 'bob', 'room=dev');
    clients.push(bob);
    await bob.waitFor({ type: 'joined', room: 'dev' });
    const bobJoined = bob.events()[1];
    assert.deepEqual([...bobJoined.users].sort(), ['alice', 'bob', 'carol']);
    assert.equal(bobJoined.last_id, 3);
    await alice.waitFor({ type: 'join', user: 'bob', id: 3 });

    alice.say('dev', 'hi from alice');
    await bob.waitFor({ type: 'message', from: 'alice', text: 'hi from alice' });
    await carol.waitForMessage('alice: hi from alice');
    carol.send('hi from carol');
    await alice.waitFor({ type: 'message', from: 'carol', text: 'hi from carol' });
    await bob.waitFor({ type: 'message', from: 'carol', text: 'hi from carol' });
    bob.send(JSON.stringify({ type: 'typing', room: 'dev' }));
    bob.say('dev', 'bye');
    await carol.waitForMessage('bob: bye');
    await alice.waitFor({ type: 'message', from: 'bob', text: 'bye' });
    bob.close(1000);
    await alice.waitFor({ type: 'leave', user: 'bob' });
    await carol.waitForMessage(left('bob'));
    await carol.barrier('carol', 'end');
    await alice.waitFor({ type: 'message', from: 'carol', text: 'end' });

    // Everyone saw the same ids in one order; typing reached alice (v1) only, before bob's bye.
    const stored = alice.events().slice(1).flatMap((e) => (e.type === 'joined' ? e.events : [e]))
      .filter((e) => e.type !== 'typing');
    stored.forEach((e) => assertStored(e, 'dev'));
    assert.deepEqual(stored.map((e) => e.id), [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.deepEqual(stored.map((e) => e.type),
      ['join', 'join', 'join', 'message', 'message', 'message', 'leave', 'message']);
    const kinds = alice.events().map((e) => e.type);
    assert.equal(kinds.filter((k) => k === 'typing').length, 1);
    assert.ok(kinds.indexOf('typing') < alice.events().findIndex((e) => e.text === 'bye'));
    assert.deepEqual(carol.messages, [
      greeting('carol'), joined('alice', 30), 'bob connected to chat', 'alice: hi from alice',
      'carol: hi from carol', 'bob: bye', left('bob'), 'carol: end']);
  } finally {
    await closeAll(clients);
  }
});

test('a reconnect with since replays what was missed, then live events follow', async () => {
  const server = await pool.start();
  const clients = [];
  try {
    const alice = v1(server, 'alice');
    clients.push(alice);
    await alice.waitFor({ type: 'joined' });
    const bob = v1(server, 'bob');
    clients.push(bob);
    await bob.waitFor({ type: 'joined' });
    await alice.waitFor({ type: 'join', user: 'bob' });
    alice.say('lobby', 'before the drop');
    await bob.waitFor({ type: 'message', text: 'before the drop' });
    const lastSeen = bob.events().at(-1).id; // 3
    bob.terminate(); // a network drop
    await alice.waitFor({ type: 'leave', user: 'bob' }); // 4: the name is free again
    for (let i = 0; i < 5; i++) alice.say('lobby', `missed ${i}`); // 5..9
    await alice.waitFor({ type: 'message', text: 'missed 4' });

    const again = v1(server, 'bob', `since=${lastSeen}`);
    clients.push(again);
    await again.waitFor({ type: 'joined' });
    alice.say('lobby', 'live again');
    await again.waitFor({ type: 'message', text: 'live again' });
    const [, replay, ...live] = again.events();
    assert.deepEqual(replay.events.map((e) => e.id), [4, 5, 6, 7, 8, 9, 10]);
    assert.deepEqual(replay.events.map((e) => e.text ?? `${e.type} ${e.user}`),
      ['leave bob', 'missed 0', 'missed 1', 'missed 2', 'missed 3', 'missed 4', 'join bob']);
    assert.equal(replay.last_id, 10);
    assert.deepEqual(live.map((e) => [e.id, e.text]), [[11, 'live again']]);
  } finally {
    await closeAll(clients);
  }
});
