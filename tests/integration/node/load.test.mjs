// 50 ws clients x 20 messages against `--threads 2`: every client receives all 1,000 lines,
// each sender's messages in the order sent, and every client sees the same total order.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join, closeAll, serverPool } from './chat_client.mjs';

const CLIENTS = 50;
const PER_CLIENT = 20;
const TOTAL = CLIENTS * PER_CLIENT;

const pool = serverPool();
after(() => pool.stopAll());

test(`${CLIENTS} clients x ${PER_CLIENT} messages with --threads 2: complete, ordered, same total order`,
  { timeout: 40000 }, async () => {
    const server = await pool.start(['--threads', '2']);
    const clients = [];
    try {
      const names = Array.from({ length: CLIENTS }, (_, i) => `load${String(i).padStart(2, '0')}`);
      // Everyone is a member (greeted) before the first message is sent.
      clients.push(...await Promise.all(names.map((n) => join(server, n))));

      const chatLine = /^(load\d\d): msg (\d+) from \1$/;
      const chatLines = (c) => c.messages.filter((m) => chatLine.test(m));
      for (const c of clients) {
        for (let k = 0; k < PER_CLIENT; k++) c.send(`msg ${k} from ${c.name}`);
      }
      await Promise.all(clients.map((c) => c.until(
        () => chatLines(c).length >= TOTAL || c.closeInfo,
        `${TOTAL} chat lines at ${c.name}`, 30000)));

      const reference = chatLines(clients[0]);
      for (const c of clients) {
        assert.equal(c.closeInfo, null, `${c.name} was closed: ${JSON.stringify(c.closeInfo)}`);
        assert.deepEqual(c.errors, []);
        const lines = chatLines(c);
        assert.equal(lines.length, TOTAL, `${c.name} got ${lines.length} chat lines`);
        // Per-sender order: each sender's k-th line carries msg k.
        const next = new Map(names.map((n) => [n, 0]));
        for (const l of lines) {
          const [, sender, k] = l.match(chatLine);
          assert.equal(Number(k), next.get(sender), `${c.name}: ${sender}'s messages out of order`);
          next.set(sender, Number(k) + 1);
        }
        for (const n of names) assert.equal(next.get(n), PER_CLIENT, `${c.name}: all of ${n}'s lines`);
        // Identical total order across clients (compared without a 1,000-line diff on failure).
        const firstDiff = lines.findIndex((l, i) => l !== reference[i]);
        assert.equal(firstDiff, -1, `${c.name} differs from ${clients[0].name} at line ${firstDiff}: ` +
          `${JSON.stringify(lines[firstDiff])} vs ${JSON.stringify(reference[firstDiff])}`);
        // Nothing but the greeting, join notices and chat lines.
        const other = c.messages.filter((m, i) => i > 0 && !chatLine.test(m) && !/^load\d\d connected to chat$/.test(m));
        assert.deepEqual(other, [], `${c.name}: unexpected frames`);
      }
    } finally {
      await closeAll(clients);
    }
  });
