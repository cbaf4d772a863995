// Rooms in the web client: joining by name, switching, leaving, unread counts (sidebar and tab
// title), the "new messages" marker, and the rooms surviving a reload and living in the address.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browserSuite } from '../support/browser.mjs';
import { v1Peer } from '../support/v1_peer.mjs';
import { chatEntry, chatLines, connect, openPage, screenshot, ui } from '../support/web_page.mjs';

const suite = browserSuite();

async function page(options) {
  const p = await openPage(suite.browser, suite.server, options);
  suite.track(p);
  return p;
}

async function peer(name, room) {
  const p = await v1Peer(suite.server, name, room);
  suite.track(p);
  return p;
}

async function joinRoom(p, room) {
  await ui(p).roomInput.fill(room);
  await ui(p).roomInput.press('Enter');
  await p.locator('#room-title', { hasText: room }).waitFor();
}

const unreadBadge = (p, room) => ui(p).roomLink(room).locator('.unread');

test('two rooms: unread counts in the sidebar and the title, a marker where the reader left off', async () => {
  const alice = await page();
  await connect(alice, 'alice');
  const bob = await peer('bob', 'lobby');
  bob.request({ type: 'join', room: 'dev' });
  await bob.joined('dev');

  await joinRoom(alice, 'dev');
  assert.equal(new URL(alice.url()).hash, '#room=dev');
  await alice.locator('#messages > li', { hasText: 'You joined dev.' }).waitFor();

  await bob.say('lobby one');
  await bob.say('lobby two');
  await unreadBadge(alice, 'lobby').filter({ hasText: /^2$/ }).waitFor();
  await alice.waitForFunction(() => document.title === '(2) dev · Parley');
  assert.equal(await unreadBadge(alice, 'dev').count(), 0, 'the room being read has no count');
  assert.equal(await ui(alice).drawerToggle.isVisible(), false, 'no drawer on a wide screen');
  await screenshot(alice, 'desktop-unread');

  await ui(alice).roomLink('lobby').click();
  await alice.locator('#room-title', { hasText: 'lobby' }).waitFor();
  assert.equal(new URL(alice.url()).hash, '#room=lobby');
  await alice.waitForFunction(() => document.title === 'lobby · Parley');
  assert.equal(await unreadBadge(alice, 'lobby').count(), 0);
  // The marker stands right before the first message that arrived while away.
  const marker = alice.locator('#messages > li.new-marker');
  assert.equal(await marker.count(), 1);
  assert.equal(await marker.evaluate((li) => li.nextElementSibling.querySelector('.body').textContent), 'lobby one');

  await bob.say('psst', 'dev');
  await unreadBadge(alice, 'dev').filter({ hasText: /^1$/ }).waitFor();
  await bob.say('lobby three');
  await chatEntry(alice, 'lobby three').waitFor();
  assert.equal(await unreadBadge(alice, 'lobby').count(), 0, 'messages in the room being read are read');
  assert.deepEqual((await chatLines(alice)).slice(-3), [['bob', 'lobby one'], ['bob', 'lobby two'], ['bob', 'lobby three']]);
});

test('the rooms, the current one and the name survive a reload; a #room= link opens (and joins) a room', async () => {
  const carol = await page();
  await joinRoom(carol, 'dev');
  await joinRoom(carol, 'ops');
  await carol.reload();
  assert.deepEqual(await ui(carol).rooms.getByRole('link').allTextContents(), ['#lobby', '#dev', '#ops']);
  assert.equal(await carol.locator('#room-title').textContent(), 'ops');
  assert.equal(new URL(carol.url()).hash, '#room=ops');

  await connect(carol, 'carol');
  await carol.reload();
  assert.equal(await ui(carol).name.inputValue(), 'carol', 'the name is remembered: a reload only needs Connect');

  const watcher = await peer('watcher', 'shared-link');
  const dave = await page({ hash: '#room=shared-link' });
  assert.equal(await dave.locator('#room-title').textContent(), 'shared-link');
  await connect(dave, 'dave');
  await watcher.waitFor((e) => e.type === 'join' && e.user === 'dave' && e.room === 'shared-link', 'dave joining by link');
  await dave.locator('#messages > li.entry-greeting').waitFor();
  assert.deepEqual(await ui(dave).rooms.getByRole('link').allTextContents(), ['#lobby', '#shared-link']);
});

test('leaving a room tells the others and removes it; lobby stays', async () => {
  const erin = await page();
  await connect(erin, 'erin');
  const frank = await peer('frank', 'side');
  await joinRoom(erin, 'side');
  await frank.waitFor((e) => e.type === 'join' && e.user === 'erin', 'erin joining');
  await erin.getByRole('button', { name: 'Leave side' }).click();
  await frank.waitFor((e) => e.type === 'leave' && e.user === 'erin', 'erin leaving');
  await erin.locator('#room-title', { hasText: 'lobby' }).waitFor();
  assert.deepEqual(await ui(erin).rooms.getByRole('link').allTextContents(), ['#lobby']);
  assert.equal(await erin.getByRole('button', { name: 'Leave lobby' }).count(), 0);
});
