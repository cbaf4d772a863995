// The server restarts mid-chat (SIGTERM, then the same port and storage again) while another
// client keeps sending: the page shows Reconnecting…, comes back by itself, resumes with `since`,
// and shows every message exactly once and in order; a message typed while the server was down
// is delivered after the reconnect, exactly once. After a crash, the ids the server skipped are a
// visible note.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServerAndBrowser } from '../support/browser.mjs';
import { startParley } from '../support/parley_server.mjs';
import { V1Peer, v1Peer } from '../support/v1_peer.mjs';
import { chatEntry, chatLines, connect, openPage, say, screenshot, ui, waitStatus } from '../support/web_page.mjs';

let server;
let browser;

before(async () => {
  ({ server, browser } = await startServerAndBrowser());
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

// Sends n-1, n-2 ... every few ms until stopped or closed; records what the server acknowledged.
function keepSending(peer, prefix, acked) {
  let n = 0;
  let timer = null;
  const tick = () => {
    if (peer.closeInfo) return;
    n += 1;
    const text = `${prefix}-${n}`;
    peer.request({ type: 'send', room: 'lobby', text, client_id: text });
    timer = setTimeout(tick, 15);
  };
  peer.ws.on('message', (data) => {
    const e = JSON.parse(data.toString('utf8'));
    if (e.type === 'message' && e.from === peer.name) acked.push(e.text);
  });
  tick();
  return () => clearTimeout(timer);
}

test('a restart mid-chat: Reconnecting…, then every message once and in order, the queued one delivered once', { timeout: 90_000 }, async () => {
  const page = await openPage(browser, server);
  await connect(page, 'alice');
  await say(page, 'before the restart');
  await chatEntry(page, 'before the restart').and(page.locator(':not(.pending)')).waitFor();

  const acked = [];
  const bob = await v1Peer(server, 'bob');
  const stop1 = keepSending(bob, 'a', acked);
  await bob.waitFor((e) => e.type === 'message' && e.text === 'a-20', 'some of bob\'s messages');

  await server.restart({
    whileDown: async () => {
      stop1();
      await waitStatus(page, 'Reconnecting…');
      await screenshot(page, 'reconnecting');
      await say(page, 'typed while down');
      await chatEntry(page, 'typed while down').and(page.locator('.pending')).waitFor();
    },
  });

  const bob2 = new V1Peer(server, 'bob');
  await bob2.joined();
  const stop2 = keepSending(bob2, 'b', acked);
  await bob2.waitFor((e) => e.type === 'message' && e.text === 'b-20', 'bob sending again');
  stop2();
  const last = await bob2.say('the end');
  acked.push('the end');

  // The backoff is random and grows while the server is down (1 s, 2 s, 4 s ... caps): wait up
  // to a 30 s cap for the page's own retry.
  await ui(page).status.filter({ hasText: 'Connected as alice.' }).waitFor({ timeout: 35_000 });
  await chatEntry(page, 'the end').waitFor();
  await bob2.waitFor((e) => e.type === 'message' && e.from === 'alice' && e.text === 'typed while down', 'the queued message');

  const lines = await chatLines(page);
  const bobs = lines.filter(([from]) => from === 'bob').map(([, text]) => text);
  assert.equal(new Set(bobs).size, bobs.length, 'no message shown twice');
  const order = (t) => (t === 'the end' ? [2, 0] : [t.startsWith('a-') ? 0 : 1, Number(t.slice(2))]);
  const sorted = [...bobs].sort((x, y) => order(x)[0] - order(y)[0] || order(x)[1] - order(y)[1]);
  assert.deepEqual(bobs, sorted, 'in the order sent');
  for (const text of acked) assert.ok(bobs.includes(text), `${text}, acknowledged to bob, is on the page`);
  assert.deepEqual(lines.filter(([, text]) => text === 'typed while down'), [['alice', 'typed while down']],
    'the queued message once, no longer pending');
  const delivered = bob2.events.filter((e) => e.type === 'message' && e.text === 'typed while down');
  assert.equal(delivered.length, 1, 'the server said it once');
  assert.equal(await ui(page).status.textContent(), 'Connected as alice.');
  assert.ok(last.id > 0);
  assert.deepEqual(page.errors, []);
  await bob2.close();
  await page.context().close();
});

test('after a crash (kill -9) the page resumes too, and history it cannot have is a visible note', { timeout: 90_000 }, async () => {
  const page = await openPage(browser, server);
  await connect(page, 'carol');
  const dan = await v1Peer(server, 'dan');
  await dan.say('before the crash');
  await chatEntry(page, 'before the crash').waitFor();
  // Ids were reserved ahead in blocks: after the crash they continue above the block, and the
  // page's resume crosses the jump.
  await server.restart({ signal: 'SIGKILL' });
  await ui(page).status.filter({ hasText: 'Connected as carol.' }).waitFor({ timeout: 35_000 });
  const dan2 = await v1Peer(server, 'dan');
  await dan2.say('after the crash');
  await chatEntry(page, 'after the crash').waitFor();
  const lines = await chatLines(page);
  assert.deepEqual(lines.filter(([from]) => from === 'dan').map(([, text]) => text).filter((t) => t.includes('crash')),
    ['before the crash', 'after the crash']);
  await page.locator('#messages > li.entry-gap', { hasText: 'Some history here could not be loaded.' }).waitFor();
  assert.deepEqual(page.errors, []);
  await dan2.close();
  await page.context().close();
});

test('a server that kept history in memory only comes back empty: the page starts the room again and misses nothing new', { timeout: 90_000 }, async () => {
  const forgetful = await startParley(['--storage-engine', 'memory']);
  try {
    const page = await openPage(browser, forgetful);
    await connect(page, 'erin');
    const fay = await v1Peer(forgetful, 'fay');
    for (let i = 1; i <= 5; i++) await fay.say(`old ${i}`);
    await chatEntry(page, 'old 5').waitFor();

    await forgetful.restart();
    await ui(page).status.filter({ hasText: 'Connected as erin.' }).waitFor({ timeout: 35_000 });
    await page.locator('#messages > li', { hasText: 'The server lost this room\'s history; it starts again here.' }).waitFor();
    // The new ids start again from 1: they must not be taken for ones already shown.
    const fay2 = await v1Peer(forgetful, 'fay');
    await fay2.say('new 1');
    await chatEntry(page, 'new 1').waitFor();
    assert.deepEqual((await chatLines(page)).map(([, text]) => text), ['new 1']);
    assert.deepEqual(page.errors, []);
    await fay2.close();
    await page.context().close();
  } finally {
    await forgetful.stop();
  }
});
