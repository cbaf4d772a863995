// SIGTERM / SIGINT: every connected ws client gets close 1001 "Server is shutting down." and the
// process exits 0.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join, closeAll, serverPool } from './chat_client.mjs';

const pool = serverPool();
after(() => pool.stopAll());

for (const signal of ['SIGTERM', 'SIGINT']) {
  test(`${signal}: every client gets close 1001 and the process exits 0`, { timeout: 20000 }, async () => {
    const server = await pool.start();
    const clients = [];
    try {
      for (const n of ['alice', 'bob', 'carol', 'dave']) clients.push(await join(server, n));
      // One deflate-offering client and one mid-fragmented-message client for variety.
      clients.push(await join(server, 'erin', { perMessageDeflate: true }));
      const frank = await join(server, 'frank');
      clients.push(frank);
      frank.ws.send('half a message', { fin: false });
      await clients[0].waitForMessage('frank connected to chat');

      // Not server.terminate(): its uncleared 10 s timer would keep this test process alive.
      server.proc.kill(signal);
      let timer;
      const exitP = Promise.race([
        server.exited, new Promise((r) => { timer = setTimeout(() => r(null), 10000); })])
        .finally(() => clearTimeout(timer));
      const infos = await Promise.all(clients.map((c) => c.closed(10000)));
      for (const [i, info] of infos.entries()) {
        assert.deepEqual(info, { code: 1001, reason: 'Server is shutting down.' }, clients[i].name);
      }
      const exit = await exitP;
      assert.notEqual(exit, null, 'process did not exit within 10 s');
      assert.deepEqual(exit, { code: 0, signal: null });
    } finally {
      await closeAll(clients);
    }
  });
}

test('SIGTERM with a client that never answers the close frame: exits 0 after --shutdown-timeout-ms',
  { timeout: 20000 }, async () => {
    const server = await pool.start(['--shutdown-timeout-ms', '1000']);
    const clients = [];
    try {
      const ok = await join(server, 'responsive');
      clients.push(ok);
      const stuck = await join(server, 'stuck');
      clients.push(stuck);
      await ok.waitForMessage('stuck connected to chat');
      stuck.ws._socket.pause(); // stops reading: the close frame is never seen nor answered

      server.proc.kill('SIGTERM');
      assert.deepEqual(await ok.closed(), { code: 1001, reason: 'Server is shutting down.' });
      let timer;
      const exit = await Promise.race([
        server.exited, new Promise((r) => { timer = setTimeout(() => r(null), 8000); })])
        .finally(() => clearTimeout(timer));
      assert.notEqual(exit, null, 'process did not exit within 8 s despite --shutdown-timeout-ms 1000');
      assert.deepEqual(exit, { code: 0, signal: null });
      // The close frame was sent before the exit; reading now still finds it.
      stuck.ws._socket.resume();
      assert.equal((await stuck.closed()).code, 1001);
    } finally {
      await closeAll(clients);
    }
  });
