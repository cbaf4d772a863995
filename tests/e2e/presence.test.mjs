// Who is online and who is typing, in the web client, kept current by the room's events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browserSuite } from '../support/browser.mjs';
import { v1Peer } from '../support/v1_peer.mjs';
import { chatEntry, connect, openPage, ui } from '../support/web_page.mjs';

const suite = browserSuite();

const onlineNames = (page) => ui(page).online.evaluateAll((items) => items.map((li) => li.firstChild.textContent));

test('the online list follows joins and leaves', async () => {
  const alice = await openPage(suite.browser, suite.server);
  suite.track(alice);
  await connect(alice, 'alice');
  await alice.locator('#online-count', { hasText: /^1$/ }).waitFor();
  assert.deepEqual(await onlineNames(alice), ['alice']);
  assert.equal(await ui(alice).online.first().textContent(), 'alice (you)');

  const bob = await v1Peer(suite.server, 'bob');
  await alice.locator('#online-count', { hasText: /^2$/ }).waitFor();
  assert.deepEqual(await onlineNames(alice), ['alice', 'bob']);
  await alice.locator('#messages > li.entry-join', { hasText: 'bob connected to chat' }).waitFor();

  await bob.close();
  await alice.locator('#online-count', { hasText: /^1$/ }).waitFor();
  assert.deepEqual(await onlineNames(alice), ['alice']);
  await alice.locator('#messages > li.entry-leave', { hasText: 'bob left the chat' }).waitFor();
});

test('typing: shown while the other types, gone when they send; the page sends at most one per 2 s', async () => {
  const carol = await openPage(suite.browser, suite.server);
  suite.track(carol);
  // What the page itself sends (the server would hide extra typing requests: it passes one per 2 s).
  const sentTyping = [];
  carol.on('websocket', (ws) => ws.on('framesent', ({ payload }) => {
    if (String(payload).includes('"typing"')) sentTyping.push(Date.now());
  }));
  await connect(carol, 'carol');
  const dan = await v1Peer(suite.server, 'dan');
  suite.track(dan);

  dan.request({ type: 'typing', room: 'lobby' });
  await ui(carol).typing.filter({ hasText: 'dan is typing…' }).waitFor();
  await dan.say('done typing');
  await chatEntry(carol, 'done typing').waitFor();
  assert.equal(await ui(carol).typing.textContent(), '', 'a message ends the indicator');

  // Eleven keystrokes: the page sends one typing request per 2 s of typing, and dan hears it.
  const from = dan.events.length;
  const started = Date.now();
  await ui(carol).message.pressSequentially('hello there');
  const typedFor = Date.now() - started;
  await ui(carol).message.press('Enter');
  await dan.waitFor((e) => e.type === 'message' && e.text === 'hello there', 'carol\'s message', undefined, from);
  assert.deepEqual(dan.events.slice(from).find((e) => e.type === 'typing'), { type: 'typing', room: 'lobby', user: 'carol' });
  assert.ok(sentTyping.length >= 1 && sentTyping.length <= 1 + Math.floor(typedFor / 2000),
    `${sentTyping.length} typing requests in ${typedFor} ms of typing`);
  for (let i = 1; i < sentTyping.length; i++) assert.ok(sentTyping[i] - sentTyping[i - 1] >= 1900, 'at most one per 2 s');
});

test('an indicator goes by itself when the typing stops', { timeout: 20_000 }, async () => {
  const erin = await openPage(suite.browser, suite.server);
  suite.track(erin);
  await connect(erin, 'erin');
  const fay = await v1Peer(suite.server, 'fay');
  suite.track(fay);
  fay.request({ type: 'typing', room: 'lobby' });
  await ui(erin).typing.filter({ hasText: 'fay is typing…' }).waitFor();
  await erin.waitForFunction(() => document.getElementById('typing').textContent === '', null, { timeout: 8000 });
});

test('links in messages: only http and https, opened apart from the page', async () => {
  const gil = await openPage(suite.browser, suite.server);
  suite.track(gil);
  await connect(gil, 'gil');
  const hal = await v1Peer(suite.server, 'hal');
  suite.track(hal);
  await hal.say('docs at https://example.org/a?b=1&c=<x>, not javascript:alert(1) or data:text/html,<b>x</b>');
  const entry = chatEntry(gil, 'docs at https://example.org/a?b=1&c=<x>, not javascript:alert(1) or data:text/html,<b>x</b>');
  await entry.waitFor();
  const links = await entry.locator('a').evaluateAll((as) => as.map((a) => [a.textContent, a.href, a.rel, a.target]));
  assert.deepEqual(links, [['https://example.org/a?b=1&c=', 'https://example.org/a?b=1&c=', 'noopener noreferrer', '_blank']]);
  assert.equal(await entry.locator('b').count(), 0);
});
