// End-to-end tests of the web client (web/) against the real server, driven through Debian's
// Chromium with playwright-core. Run: PARLEY_BIN=build/release/parley node --test tests/e2e/*.test.mjs
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServerAndBrowser } from '../support/browser.mjs';

const TIMEOUT = 10_000;
const SCREENSHOT = '/tmp/parley-e2e.png';
const GREETING = (name) => `Hi ${name}! You have successfully connected to the chat`;

let server;
let browser;
let pages = []; // opened by the current test

before(async () => {
  ({ server, browser } = await startServerAndBrowser());
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

// Every test's pages: no uncaught errors, then closed.
afterEach(async () => {
  const opened = pages;
  pages = [];
  const errors = opened.flatMap((page) => page.errors);
  await Promise.all(opened.map((page) => page.context().close()));
  assert.deepEqual(errors, [], 'uncaught errors in the page');
});

// A fresh page in its own browser context (own cookies/storage), with the client loaded.
async function openClient(viewport = { width: 1000, height: 720 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.errors = [];
  page.on('pageerror', (err) => page.errors.push(String(err)));
  await page.goto(server.httpUrl + '/');
  pages.push(page);
  return page;
}

const ui = (page) => ({
  name: page.getByLabel('Name', { exact: true }),
  age: page.getByLabel(/^Age\b/),
  message: page.getByLabel('Message', { exact: true }),
  connect: page.getByRole('button', { name: 'Connect', exact: true }),
  disconnect: page.getByRole('button', { name: 'Disconnect', exact: true }),
  send: page.getByRole('button', { name: 'Send', exact: true }),
  status: page.getByRole('status'),
});

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const exactly = (s) => new RegExp(`^${escapeRe(s)}$`);

// The list entry of the given kind (greeting, join, leave, chat, local) whose text is `text`;
// for chat entries `text` is the message body and `sender` may be given.
function entry(page, kind, text, sender) {
  let loc = page.locator(`#messages > li.entry-${kind}`)
    .filter({ has: page.locator('.body', { hasText: exactly(text) }) });
  if (sender !== undefined) loc = loc.filter({ has: page.locator('.sender', { hasText: exactly(sender) }) });
  return loc;
}

async function waitStatus(page, text) {
  await ui(page).status.filter({ hasText: text }).waitFor({ timeout: TIMEOUT });
}

async function connect(page, name, age) {
  const u = ui(page);
  await u.name.fill(name);
  if (age !== undefined) await u.age.fill(String(age));
  await u.connect.click();
  await waitStatus(page, `Connected as ${name}.`);
  await entry(page, 'greeting', GREETING(name)).last().waitFor();
}

async function sendByClick(page, text) {
  await ui(page).message.fill(text);
  await ui(page).send.click();
}

async function controlState(page) {
  const u = ui(page);
  return {
    name: await u.name.isEnabled(),
    connect: await u.connect.isEnabled(),
    disconnect: await u.disconnect.isEnabled(),
    message: await u.message.isEnabled(),
  };
}

describe('web client', () => {
  test('two users chat with each other', async () => {
    const alice = await openClient();
    const bob = await openClient();
    assert.deepEqual(await controlState(alice),
      { name: true, connect: true, disconnect: false, message: false });
    assert.equal(await ui(alice).send.isEnabled(), false);

    await connect(alice, 'alice');
    assert.deepEqual(await controlState(alice),
      { name: false, connect: false, disconnect: true, message: true });
    assert.equal(await ui(alice).send.isEnabled(), false, 'Send is disabled while the box is empty');

    await connect(bob, 'bob');
    await entry(alice, 'join', 'bob connected to chat').waitFor();

    await sendByClick(alice, 'Hello Bob!');
    await entry(alice, 'chat', 'Hello Bob!', 'alice').waitFor();
    await entry(bob, 'chat', 'Hello Bob!', 'alice').waitFor();
    assert.equal(await ui(alice).message.inputValue(), '', 'the box is cleared after sending');

    await sendByClick(bob, 'Hi Alice, nice to meet you.');
    await entry(alice, 'chat', 'Hi Alice, nice to meet you.', 'bob').waitFor();
    await entry(bob, 'chat', 'Hi Alice, nice to meet you.', 'bob').waitFor();

    // Own messages are marked; others' are not.
    assert.match(await entry(alice, 'chat', 'Hello Bob!').getAttribute('class'), /\bown\b/);
    assert.doesNotMatch(await entry(bob, 'chat', 'Hello Bob!').getAttribute('class'), /\bown\b/);

    // Every entry carries a local time.
    const times = await alice.locator('#messages > li time').allTextContents();
    assert.equal(times.length, await alice.locator('#messages > li').count());
    for (const t of times) assert.match(t, /\d{1,2}[:.]\d{2}/);

    // Both pages see the same room events, in the same order, after bob joined.
    const texts = (page) => page.locator('#messages > li .body').allTextContents();
    assert.deepEqual(await texts(alice),
      [GREETING('alice'), 'bob connected to chat', 'Hello Bob!', 'Hi Alice, nice to meet you.']);
    assert.deepEqual(await texts(bob),
      [GREETING('bob'), 'Hello Bob!', 'Hi Alice, nice to meet you.']);

    await sendByClick(alice, 'This client inserts everything as text, so <b>tags</b> stay visible.');
    await entry(bob, 'chat', 'This client inserts everything as text, so <b>tags</b> stay visible.').waitFor();
    await alice.screenshot({ path: SCREENSHOT });
  });

  test('Enter in the message box sends', async () => {
    const carol = await openClient();
    const dave = await openClient();
    await connect(carol, 'carol');
    await connect(dave, 'dave');
    await ui(carol).message.fill('sent with Enter');
    await ui(carol).message.press('Enter');
    await entry(dave, 'chat', 'sent with Enter', 'carol').waitFor();
    await entry(carol, 'chat', 'sent with Enter', 'carol').waitFor();
    assert.equal(await ui(carol).message.inputValue(), '');
    assert.equal(await ui(carol).message.evaluate((el) => el === document.activeElement), true,
      'focus stays in the message box');
  });

  test('the name form works from the keyboard: Enter in Name connects', async () => {
    const page = await openClient();
    await ui(page).name.fill('keyboard');
    await ui(page).name.press('Enter');
    await waitStatus(page, 'Connected as keyboard.');
    assert.equal(await ui(page).message.evaluate((el) => el === document.activeElement), true,
      'focus moves to the message box once connected');
  });

  test('a taken name shows the server\'s close reason', async () => {
    const first = await openClient();
    const second = await openClient();
    const observer = await openClient();
    await connect(observer, 'observer');
    await connect(first, 'dupe');
    await entry(observer, 'join', 'dupe connected to chat').waitFor();

    await ui(second).name.fill('dupe');
    await ui(second).connect.click();
    await waitStatus(second, 'Username already exists.');
    assert.deepEqual(await controlState(second),
      { name: true, connect: true, disconnect: false, message: false });
    assert.equal(await entry(second, 'greeting', GREETING('dupe')).count(), 0);

    // The rejected duplicate produced no second join (or any leave) notice: the room's events
    // arrive in one order, so everything before a later join is already on the page.
    const marker = await openClient();
    await connect(marker, 'marker');
    await entry(observer, 'join', 'marker connected to chat').waitFor();
    assert.equal(await entry(observer, 'join', 'dupe connected to chat').count(), 1);
    assert.equal(await entry(observer, 'leave', 'dupe left the chat').count(), 0);
    // The holder of the name is still connected.
    await sendByClick(first, 'still here');
    await entry(observer, 'chat', 'still here', 'dupe').waitFor();
  });

  test('Disconnect closes; the others see the leave notice', async () => {
    const erin = await openClient();
    const frank = await openClient();
    await connect(frank, 'frank');
    await connect(erin, 'erin');
    await entry(frank, 'join', 'erin connected to chat').waitFor();

    await ui(erin).disconnect.click();
    await waitStatus(erin, 'Disconnected.');
    await entry(frank, 'leave', 'erin left the chat').waitFor();
    assert.deepEqual(await controlState(erin),
      { name: true, connect: true, disconnect: false, message: false });
    assert.equal(await ui(erin).send.isEnabled(), false);

    // The name is free again: erin reconnects, and frank sees her join this time.
    await connect(erin, 'erin');
    await entry(frank, 'join', 'erin connected to chat').nth(1).waitFor();
    await entry(erin, 'greeting', GREETING('erin')).nth(1).waitFor();
  });

  test('received text is never interpreted as HTML', async () => {
    const mallory = await openClient();
    const victim = await openClient();
    await connect(victim, 'victim');
    const evilName = '<img src=y onerror=__xss=2>';
    await connect(mallory, evilName);
    await entry(victim, 'join', `${evilName} connected to chat`).waitFor();

    const payload = '<img src=x onerror="window.__xss=1">';
    await sendByClick(mallory, payload);
    await entry(victim, 'chat', payload, evilName).waitFor();
    await entry(mallory, 'chat', payload, evilName).waitFor();

    for (const page of [victim, mallory]) {
      assert.equal(await page.locator('#messages img').count(), 0);
      assert.equal(await page.evaluate(() => typeof window.__xss), 'undefined');
    }
  });

  test('the age shows in the join notice', async () => {
    const grace = await openClient();
    const heidi = await openClient();
    await connect(grace, 'grace');
    await connect(heidi, 'heidi', 30);
    await entry(grace, 'join', 'heidi with age 30 connected to chat').waitFor();
  });

  test('an invalid age is refused before connecting', async () => {
    const page = await openClient();
    await ui(page).name.fill('ivan');
    await ui(page).age.fill('151');
    await ui(page).connect.click();
    await waitStatus(page, 'Age must be a whole number from 0 to 150.');
    assert.equal(await ui(page).age.getAttribute('aria-invalid'), 'true');
    assert.equal(await ui(page).connect.isEnabled(), true);
    assert.equal(await page.locator('#messages > li').count(), 0);
  });
});
