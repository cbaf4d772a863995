// Frame-level behaviour as seen through Node's `ws`: binary and oversize messages, invalid UTF-8,
// ping/pong, fragmentation, close-code echo, large messages, and a client offering
// permessage-deflate (ws's default) against a server that does not negotiate it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join, closeAll, serverPool, greeting, joined, left } from './chat_client.mjs';

const pool = serverPool();
let server;       // default limits (64 KiB)
let small;        // --max-message-size 1024
before(async () => {
  [server, small] = await Promise.all([pool.start(), pool.start(['--max-message-size', '1024'])]);
});
after(() => pool.stopAll());

let seq = 0;
const name = (p) => `${p}${++seq}`;

// A string of exactly `bytes` UTF-8 bytes mixing 1-, 2-, 3- and 4-byte characters.
function textOfBytes(bytes) {
  const alphabet = ['a', 'b', 'z', '0', ' ', ':', 'é', 'ß', '€', '中', '😀', '🎉'];
  const parts = [];
  let n = 0;
  let x = 12345;
  while (bytes - n >= 4) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    const ch = alphabet[x % alphabet.length];
    parts.push(ch);
    n += Buffer.byteLength(ch);
  }
  parts.push('x'.repeat(bytes - n));
  const s = parts.join('');
  assert.equal(Buffer.byteLength(s), bytes);
  return s;
}

// Joins a sender and an observer on `srv`, returns both (observer already saw the join).
async function pair(srv, clients, senderOpts = {}) {
  const obs = await join(srv, name('obs'));
  clients.push(obs);
  const s = await join(srv, name('snd'), senderOpts);
  clients.push(s);
  await obs.waitForMessage(joined(s.name));
  return { obs, s };
}

test('binary message closes with 1003 "Binary messages are not supported."', async () => {
  const clients = [];
  try {
    const { obs, s } = await pair(server, clients);
    s.ws.send(Buffer.from([1, 2, 3, 4]), { binary: true });
    assert.deepEqual(await s.closed(), { code: 1003, reason: 'Binary messages are not supported.' });
    await obs.waitForMessage(left(s.name));
    assert.deepEqual(s.messages, [greeting(s.name)]);
  } finally {
    await closeAll(clients);
  }
});

test('--max-message-size 1024: 1024 bytes pass, 1025 bytes close with 1009 "Message too big."', async () => {
  const clients = [];
  try {
    const { obs, s } = await pair(small, clients);
    const ok = textOfBytes(1024);
    s.send(ok);
    await s.waitForMessage(`${s.name}: ${ok}`);
    await obs.waitForMessage(`${s.name}: ${ok}`);

    s.send(textOfBytes(1025));
    assert.deepEqual(await s.closed(), { code: 1009, reason: 'Message too big.' });
    await obs.waitForMessage(left(s.name));
  } finally {
    await closeAll(clients);
  }
});

test('--max-message-size applies to the whole fragmented message, not per frame', async () => {
  const clients = [];
  try {
    const { obs, s } = await pair(small, clients);
    s.ws.send('a'.repeat(600), { fin: false });
    s.ws.send('b'.repeat(600), { fin: true });
    assert.deepEqual(await s.closed(), { code: 1009, reason: 'Message too big.' });
    await obs.waitForMessage(left(s.name));
    assert.ok(!obs.messages.some((m) => m.startsWith(`${s.name}: `)), 'no partial message broadcast');
  } finally {
    await closeAll(clients);
  }
});

test('large messages up to the default 64 KiB limit are broadcast intact; one byte more is 1009', async () => {
  const clients = [];
  try {
    const { obs, s } = await pair(server, clients);
    for (const size of [65535, 65536]) {
      const text = textOfBytes(size);
      s.send(text);
      const expected = `${s.name}: ${text}`;
      for (const c of [s, obs]) {
        const i = await c.waitForMessage(expected, 0, 10000);
        assert.equal(Buffer.byteLength(c.messages[i]), Buffer.byteLength(expected));
      }
    }
    s.send(textOfBytes(65537));
    assert.deepEqual(await s.closed(), { code: 1009, reason: 'Message too big.' });
    await obs.waitForMessage(left(s.name));
  } finally {
    await closeAll(clients);
  }
});

test('invalid UTF-8 in a text frame closes with 1007', async () => {
  const clients = [];
  try {
    for (const bytes of [[0x68, 0xff, 0x69], [0xed, 0xa0, 0x80] /* surrogate */, [0xc0, 0xaf] /* overlong */]) {
      const { obs, s } = await pair(server, clients);
      s.ws.send(Buffer.from(bytes), { binary: false });
      assert.deepEqual(await s.closed(), { code: 1007, reason: 'Invalid UTF-8 in text message.' },
        `bytes ${JSON.stringify(bytes)}`);
      await obs.waitForMessage(left(s.name));
    }
  } finally {
    await closeAll(clients);
  }
});

test('ping from the client is answered with a pong carrying the same data', async () => {
  const clients = [];
  try {
    const c = await join(server, name('pinger'));
    clients.push(c);
    const payloads = [
      Buffer.from('hello parley'),
      Buffer.alloc(0),
      Buffer.from(Array.from({ length: 125 }, (_, i) => (i * 37 + 11) & 0xff)), // max control payload
    ];
    for (const [k, p] of payloads.entries()) {
      c.ws.ping(p);
      await c.until(() => c.pongs.length > k, `pong #${k}`);
      assert.deepEqual(c.pongs[k], p, `pong #${k} data`);
    }
    // Still a working chat connection afterwards.
    await c.barrier(c.name, 'after pings');
    assert.equal(c.closeInfo, null);
    assert.deepEqual(c.errors, []);
  } finally {
    await closeAll(clients);
  }
});

test('fragmented text message with a ping interleaved is reassembled and broadcast', async () => {
  const clients = [];
  try {
    const { obs, s } = await pair(server, clients);
    s.ws.send('Grü', { fin: false });
    s.ws.ping(Buffer.from('mid'));
    s.ws.send('ße aus ', { fin: false });
    s.ws.send('Node 👋', { fin: true });
    await s.until(() => s.pongs.length >= 1, 'pong between fragments');
    assert.deepEqual(s.pongs[0], Buffer.from('mid'));
    const expected = `${s.name}: Grüße aus Node 👋`;
    await s.waitForMessage(expected);
    await obs.waitForMessage(expected);
  } finally {
    await closeAll(clients);
  }
});

test('client close code is echoed by the server', async () => {
  const clients = [];
  try {
    const { obs, s } = await pair(server, clients);
    s.close(4000, 'custom bye');
    assert.equal((await s.closed()).code, 4000);
    await obs.waitForMessage(left(s.name));
    const s2 = await join(server, name('goingaway'));
    clients.push(s2);
    s2.close(1001, 'tab closed');
    assert.equal((await s2.closed()).code, 1001);
    await obs.waitForMessage(left(s2.name));
  } finally {
    await closeAll(clients);
  }
});

test('perMessageDeflate: false: handshake has no extension and chat works', async () => {
  const clients = [];
  try {
    const { obs, s } = await pair(server, clients, { perMessageDeflate: false });
    assert.equal(s.upgradeResponse.headers['sec-websocket-extensions'], undefined);
    assert.equal(s.ws.extensions, '');
    s.send('plain');
    await obs.waitForMessage(`${s.name}: plain`);
    await s.waitForMessage(`${s.name}: plain`);
  } finally {
    await closeAll(clients);
  }
});

test('client offering permessage-deflate (ws default): not accepted, messages flow uncompressed', async () => {
  const clients = [];
  try {
    // Observer with deflate off, sender and a second receiver with ws's default offer.
    const obs = await join(server, name('obs'));
    clients.push(obs);
    const d1 = await join(server, name('deflate'), { perMessageDeflate: true });
    clients.push(d1);
    const d2 = await join(server, name('deflate'), { perMessageDeflate: true });
    clients.push(d2);
    await obs.waitForMessage(joined(d2.name));
    await d1.waitForMessage(joined(d2.name));

    for (const c of [d1, d2]) {
      const offered = c.requestHeaders['sec-websocket-extensions'];
      assert.match(String(offered), /permessage-deflate/, 'ws offered the extension');
      assert.equal(c.upgradeResponse.statusCode, 101);
      assert.equal(c.upgradeResponse.headers['sec-websocket-extensions'], undefined,
        'server must not accept permessage-deflate');
      assert.equal(c.ws.extensions, '');
    }

    // A highly compressible message: had the server set RSV1 (compressed) on an un-negotiated
    // connection, ws would fail the connection with 1002 instead of delivering it.
    const big = 'compress me '.repeat(2000);
    d1.send(big);
    d2.send('short one');
    for (const c of [obs, d1, d2]) {
      await c.waitForMessage(`${d1.name}: ${big}`);
      await c.waitForMessage(`${d2.name}: short one`);
    }
    for (const c of [d1, d2]) {
      assert.deepEqual(c.errors, []);
      assert.equal(c.closeInfo, null);
    }
  } finally {
    await closeAll(clients);
  }
});

test('a paused reader gets every message, in order, once it resumes', async () => {
  // (That a reader which never resumes is dropped without harming the room is tested in
  // tests/integration/python/test_slow_consumer.py, with buffers really filled.)
  const clients = [];
  try {
    const { obs, s } = await pair(server, clients);
    const slow = await join(server, name('slow'));
    clients.push(slow);
    await obs.waitForMessage(joined(slow.name));
    slow.ws.pause();
    // 30: within limits.messages_burst (40), so the rate limit plays no part.
    for (let i = 0; i < 30; i++) s.send(`m${i}`);
    await obs.waitForMessage(`${s.name}: m29`);
    slow.ws.resume();
    await slow.waitForMessage(`${s.name}: m29`);
    const got = slow.messages.filter((m) => m.startsWith(`${s.name}: m`));
    assert.deepEqual(got, Array.from({ length: 30 }, (_, i) => `${s.name}: m${i}`));
  } finally {
    await closeAll(clients);
  }
});
