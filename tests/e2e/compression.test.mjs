// permessage-deflate with Chromium, which offers it by itself: with ws.compression on, two pages
// chat and see each other's long messages, the server inflates what Chromium compressed and
// compresses what it broadcasts (its metrics say so).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browserSuite } from '../support/browser.mjs';
import { chatEntry, connect, openPage, say } from '../support/web_page.mjs';

const suite = browserSuite(['--ws-compression', 'on', '--metrics-enabled', '--metrics-port', '0',
  '--metrics-bind', '127.0.0.1']);

async function page() {
  return suite.track(await openPage(suite.browser, suite.server));
}

async function counter(name) {
  const m = await suite.server.waitForLine(/metrics on http:\/\/[^:]+:(\d+)\/metrics/, 5000);
  assert.ok(m, 'the server did not say where its metrics are');
  const text = await (await fetch(`http://127.0.0.1:${m[1]}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

test('Chromium pages chat over compressed frames both ways', async () => {
  const alice = await page();
  const bob = await page();
  await connect(alice, 'alice');
  await connect(bob, 'bob');
  const inflatedBefore = await counter('parley_ws_inflations_total');
  const compressedBefore = await counter('parley_ws_compressions_total');

  const long = 'A long line that is worth compressing, said twice. '.repeat(6).trim();
  await say(alice, long);
  await chatEntry(bob, long).waitFor();
  await chatEntry(alice, long).waitFor();

  assert.ok(await counter('parley_ws_inflations_total') > inflatedBefore,
    'Chromium compressed its message and the server inflated it');
  assert.ok(await counter('parley_ws_compressions_total') > compressedBefore,
    'the server compressed the broadcast for the compressing pages');
});
