// The tutorial chat scenario, spoken by Node's `ws` client: greetings, join/leave notices,
// broadcast, duplicate and invalid usernames, ages. Each test gets a fresh server so it can
// assert the exact sequence of frames every client received.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  ChatClient, join, expectRejected, closeAll, serverPool,
  greeting, joined, left,
} from './chat_client.mjs';

const pool = serverPool();
after(() => pool.stopAll());

test('tutorial scenario: greeting, join notices (with/without age) to others, broadcast to all', async () => {
  const server = await pool.start();
  const clients = [];
  try {
    const alice = await join(server, 'alice');
    clients.push(alice);
    const bob = await join(server, 'bob');
    clients.push(bob);
    await alice.waitForMessage(joined('bob'));

    const carol = await join(server, 'carol', { age: 30 });
    clients.push(carol);
    await alice.waitForMessage(joined('carol', 30));
    await bob.waitForMessage(joined('carol', 30));

    alice.send('hello everyone');
    for (const c of [alice, bob, carol]) await c.waitForMessage('alice: hello everyone');
    carol.send('hi alice: nice to meet you');
    for (const c of [alice, bob, carol]) await c.waitForMessage('carol: hi alice: nice to meet you');
    // The barrier makes sure nothing else (e.g. a notice about oneself) is still on its way.
    await bob.barrier('bob', 'end');
    for (const c of [alice, carol]) await c.waitForMessage('bob: end');

    const chat = ['alice: hello everyone', 'carol: hi alice: nice to meet you', 'bob: end'];
    assert.deepEqual(alice.messages, [greeting('alice'), joined('bob'), joined('carol', 30), ...chat]);
    assert.deepEqual(bob.messages, [greeting('bob'), joined('carol', 30), ...chat]);
    assert.deepEqual(carol.messages, [greeting('carol'), ...chat]);
    for (const c of clients) {
      assert.equal(c.binary.length, 0, 'server sent a binary frame');
      assert.deepEqual(c.errors, []);
      assert.equal(c.closeInfo, null);
    }
  } finally {
    await closeAll(clients);
  }
});

test('leave notice on close frame, ws.terminate() and socket destroy; only to the others', async () => {
  const server = await pool.start();
  const clients = [];
  try {
    const alice = await join(server, 'alice');
    clients.push(alice);
    const names = ['bob', 'carol', 'dave'];
    const others = {};
    for (const n of names) {
      others[n] = await join(server, n);
      clients.push(others[n]);
      await alice.waitForMessage(joined(n));
    }
    const { bob, carol, dave } = others;
    await bob.waitForMessage(joined('dave'));
    await carol.waitForMessage(joined('dave'));

    // 1) normal close handshake: the server echoes our code.
    bob.close(1000, 'bye');
    assert.deepEqual((await bob.closed()).code, 1000);
    await alice.waitForMessage(left('bob'));
    await carol.waitForMessage(left('bob'));
    await dave.waitForMessage(left('bob'));

    // 2) abrupt drop without a close frame: ws.terminate()
    carol.terminate();
    await alice.waitForMessage(left('carol'));
    await dave.waitForMessage(left('carol'));

    // 3) abrupt drop via the raw socket
    dave.ws._socket.destroy();
    await alice.waitForMessage(left('dave'));

    await alice.barrier('alice', 'still here');
    assert.deepEqual(alice.messages, [
      greeting('alice'), joined('bob'), joined('carol'), joined('dave'),
      left('bob'), left('carol'), left('dave'), 'alice: still here',
    ]);
    // The leaver never got a notice about itself.
    assert.ok(!bob.messages.includes(left('bob')));
    assert.deepEqual(bob.messages, [greeting('bob'), joined('carol'), joined('dave')]);
    // A client dropping abruptly (ws side) gets close code 1006 locally, not a server frame.
    assert.equal((await carol.closed()).code, 1006);
  } finally {
    await closeAll(clients);
  }
});

test('duplicate username: close 1003 "Username already exists.", no notices, free again after leave', async () => {
  const server = await pool.start();
  const clients = [];
  try {
    const alice = await join(server, 'alice');
    clients.push(alice);
    const carol = await join(server, 'carol');
    clients.push(carol);
    await alice.waitForMessage(joined('carol'));

    const dup = await expectRejected(server, 'alice');
    clients.push(dup.client);
    assert.equal(dup.code, 1003);
    assert.equal(dup.reason, 'Username already exists.');
    assert.deepEqual(dup.client.messages, [], 'the rejected duplicate must not be greeted');
    // The handshake itself succeeded (the name is claimed when the upgrade completes).
    assert.equal(dup.client.upgradeResponse?.statusCode, 101);

    // The same name spelled percent-encoded is the same user.
    const dup2 = await expectRejected(server, '%61lice');
    clients.push(dup2.client);
    assert.equal(dup2.code, 1003);
    assert.equal(dup2.reason, 'Username already exists.');

    // Neither the holder nor anyone else heard of the duplicate (no join, no leave).
    await alice.barrier('alice', 'b1');
    await carol.barrier('carol', 'b2');
    await alice.waitForMessage('carol: b2');
    assert.deepEqual(alice.messages, [greeting('alice'), joined('carol'), 'alice: b1', 'carol: b2']);
    assert.deepEqual(carol.messages, [greeting('carol'), 'alice: b1', 'carol: b2']);
    assert.equal(alice.closeInfo, null, 'the holder must stay connected');

    // Free again once its holder has left: as soon as carol sees the leave notice.
    alice.close(1000);
    await carol.waitForMessage(left('alice'));
    const alice2 = await join(server, 'alice');
    clients.push(alice2);
    await carol.waitForMessage(joined('alice'));

    // ...also after an abrupt drop.
    alice2.terminate();
    await carol.waitForMessage(left('alice'), carol.messages.indexOf(joined('alice')));
    const alice3 = await join(server, 'alice');
    clients.push(alice3);
    await alice3.barrier('alice', 'back again');
    await carol.waitForMessage('alice: back again');
  } finally {
    await closeAll(clients);
  }
});

test('duplicate under a race: of many simultaneous connects with one name exactly one wins', async () => {
  const server = await pool.start();
  const clients = [];
  try {
    const observer = await join(server, 'observer');
    clients.push(observer);
    const N = 10;
    for (let i = 0; i < N; i++) clients.push(new ChatClient(`${server.url}/chat/racer`));
    const racers = clients.slice(1);
    // Each racer either gets the greeting or a 1003 close.
    await Promise.all(racers.map((c) =>
      c.until(() => c.messages.length > 0 || c.closeInfo, 'greeting or close')));
    const winners = racers.filter((c) => c.messages[0] === greeting('racer'));
    const losers = racers.filter((c) => c.closeInfo);
    assert.equal(winners.length, 1, 'exactly one connection gets the name');
    assert.equal(losers.length, N - 1);
    for (const l of losers) {
      assert.equal(l.closeInfo.code, 1003);
      assert.equal(l.closeInfo.reason, 'Username already exists.');
      assert.deepEqual(l.messages, []);
    }
    await observer.waitForMessage(joined('racer'));
    await observer.barrier('observer', 'done');
    assert.deepEqual(observer.messages, [greeting('observer'), joined('racer'), 'observer: done']);
  } finally {
    await closeAll(clients);
  }
});

test('percent-encoded and Unicode usernames: Jürgen, 32 emoji valid, 33 emoji invalid (1008)', async () => {
  const server = await pool.start();
  const clients = [];
  try {
    const obs = await join(server, 'obs');
    clients.push(obs);

    const jurgen = await join(server, 'Jürgen'); // path is encodeURIComponent('Jürgen') = J%C3%BCrgen
    clients.push(jurgen);
    await obs.waitForMessage(joined('Jürgen'));
    await jurgen.barrier('Jürgen', 'Grüß Gott 👋');
    await obs.waitForMessage('Jürgen: Grüß Gott 👋');

    const emoji32 = '😀'.repeat(31) + '🎉'; // 32 code points, 64 UTF-16 units, 128 bytes
    assert.equal([...emoji32].length, 32);
    const e32 = await join(server, emoji32);
    clients.push(e32);
    await obs.waitForMessage(joined(emoji32));

    const ascii32 = 'a'.repeat(32);
    const a32 = await join(server, ascii32);
    clients.push(a32);
    await obs.waitForMessage(joined(ascii32));

    const bad = [
      ['33 emoji', encodeURIComponent('😀'.repeat(33))],
      ['33 ASCII', 'b'.repeat(33)],
      ['control character', 'bad%07name'],
      ['NUL', 'bad%00name'],
      ['invalid UTF-8', 'bad%FFname'],
      ['truncated UTF-8', 'bad%C3'],
    ];
    for (const [what, pathName] of bad) {
      const r = await expectRejected(server, pathName);
      clients.push(r.client);
      assert.equal(r.code, 1008, `${what}: close code`);
      assert.match(r.reason, /^Invalid username/, `${what}: reason says what is wrong`);
      assert.deepEqual(r.client.messages, [], `${what}: no greeting`);
    }

    // None of the rejected names produced a notice.
    await obs.barrier('obs', 'end');
    assert.deepEqual(obs.messages, [
      greeting('obs'), joined('Jürgen'), 'Jürgen: Grüß Gott 👋', joined(emoji32), joined(ascii32),
      'obs: end',
    ]);
  } finally {
    await closeAll(clients);
  }
});

test('age: 0 and 150 valid, empty means none, out of range or non-numeric closes 1008', async () => {
  const server = await pool.start();
  const clients = [];
  try {
    const obs = await join(server, 'obs');
    clients.push(obs);
    for (const [name, query, notice] of [
      ['zero', 'age=0', joined('zero', 0)],
      ['old', 'age=150', joined('old', 150)],
      ['noage', 'age=', joined('noage')],
    ]) {
      const c = await join(server, name, { query });
      clients.push(c);
      await obs.waitForMessage(notice);
    }
    for (const query of ['age=151', 'age=-1', 'age=abc', 'age=1.5', 'age=30x']) {
      const r = await expectRejected(server, 'ager', { query });
      clients.push(r.client);
      assert.equal(r.code, 1008, `${query}: close code`);
      assert.equal(r.reason, 'Invalid age: must be a whole number from 0 to 150.', `${query}: reason`);
    }
    await obs.barrier('obs', 'end');
    assert.deepEqual(obs.messages, [
      greeting('obs'), joined('zero', 0), joined('old', 150), joined('noage'), 'obs: end',
    ]);
  } finally {
    await closeAll(clients);
  }
});

test('message text is relayed verbatim: empty, multi-line, colons, NUL, non-BMP', async () => {
  const server = await pool.start();
  const clients = [];
  try {
    const alice = await join(server, 'alice');
    clients.push(alice);
    const bob = await join(server, 'bob');
    clients.push(bob);
    await alice.waitForMessage(joined('bob'));
    const texts = ['', 'line1\nline2\r\n', 'bob: not really bob', '\u0000nul', '  spaced  ', '𝄞 🎉 中文'];
    for (const t of texts) alice.send(t);
    const expected = texts.map((t) => `alice: ${t}`);
    assert.deepEqual(await bob.messagesFrom(1, texts.length), expected);
    assert.deepEqual(await alice.messagesFrom(2, texts.length), expected);
  } finally {
    await closeAll(clients);
  }
});
