// permessage-deflate with Node's `ws` (perMessageDeflate): a compressing and a plain client in
// one room get identical messages, long and short, in both directions.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join, closeAll, serverPool, joined } from './chat_client.mjs';

const pool = serverPool();
after(() => pool.stopAll());

const LONG = 'a message long enough to be worth compressing, repeated; '.repeat(40); // 2,320 bytes

test('a compressing and a plain ws client chat in one room and get the same messages', async () => {
  const server = await pool.start(['--ws-compression', 'on']);
  const clients = [];
  try {
    // ws compresses what it sends from 1,024 bytes on (its default threshold).
    const zed = await join(server, 'zed', { perMessageDeflate: true });
    clients.push(zed);
    const yan = await join(server, 'yan');
    clients.push(yan);
    assert.match(zed.requestHeaders['sec-websocket-extensions'], /^permessage-deflate/);
    assert.equal(zed.upgradeResponse.headers['sec-websocket-extensions'],
      'permessage-deflate; server_no_context_takeover');
    assert.equal(yan.upgradeResponse.headers['sec-websocket-extensions'], undefined);
    await zed.waitForMessage(joined('yan'));

    zed.send(LONG);
    yan.send(`${LONG} back`);
    zed.send('short');
    const expected = [`zed: ${LONG}`, `yan: ${LONG} back`, 'zed: short'];
    const fromZed = await zed.waitForMessage('zed: short');
    const fromYan = await yan.waitForMessage('zed: short');
    const chat = (c, end) => c.messages.slice(end - 2, end + 1);
    assert.deepEqual(new Set(chat(zed, fromZed)), new Set(expected));
    assert.deepEqual(chat(zed, fromZed), chat(yan, fromYan), 'one order, the same texts');
    for (const c of clients) assert.deepEqual(c.errors, []);
  } finally {
    await closeAll(clients);
  }
});

test('with compression off the offer is declined and ws sends plain frames', async () => {
  const server = await pool.start();
  const clients = [];
  try {
    const zed = await join(server, 'zed', { perMessageDeflate: true });
    clients.push(zed);
    assert.equal(zed.upgradeResponse.headers['sec-websocket-extensions'], undefined);
    zed.send(LONG);
    await zed.waitForMessage(`zed: ${LONG}`);
    assert.deepEqual(zed.errors, []);
  } finally {
    await closeAll(clients);
  }
});
