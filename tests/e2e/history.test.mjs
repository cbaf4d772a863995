// History in the web client: the recent part on joining, older pages on request ("load older"),
// every message once and in order; server timestamps in the reader's local time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browserSuite } from '../support/browser.mjs';
import { v1Peer } from '../support/v1_peer.mjs';
import { chatLines, connect, openPage, screenshot, ui } from '../support/web_page.mjs';

const SEEDED = 120; // more than two pages of history (50 each) beyond what a join brings

// The seeder sends faster than a person may (limits.messages_per_second).
const suite = browserSuite(['--limits-messages-per-second', '0']);

test('scrollback loads older messages, in order, each once, until the beginning', async () => {
  const seeder = await v1Peer(suite.server, 'seeder', 'archive');
  suite.track(seeder);
  const expected = [];
  for (let i = 1; i <= SEEDED; i++) {
    expected.push(['seeder', `m${i}`]);
    seeder.request({ type: 'send', room: 'archive', text: `m${i}`, client_id: `s${i}` });
  }
  await seeder.waitFor((e) => e.type === 'message' && e.text === `m${SEEDED}`, 'the last seeded message');

  const reader = await openPage(suite.browser, suite.server, { hash: '#room=archive' });
  suite.track(reader);
  await connect(reader, 'reader');
  await reader.locator('#messages > li.entry-greeting').waitFor();
  const first = await chatLines(reader);
  assert.ok(first.length > 0 && first.length < SEEDED, `a join brings the recent part only (${first.length})`);
  assert.deepEqual(first, expected.slice(-first.length));

  // Scrolling to the top asks for the next page (the "Load older messages" button does too).
  assert.equal(await ui(reader).loadOlder.isVisible(), true);
  let pages = 0;
  while (await reader.locator('#history-start').isHidden()) {
    const before = (await chatLines(reader)).length;
    await reader.locator('#scroller').evaluate((el) => { el.scrollTop = 0; });
    await reader.waitForFunction((n) => document.querySelectorAll('#messages > li.entry-chat').length > n
      || !document.getElementById('history-start').hidden, before);
    pages += 1;
    assert.ok(pages < 10, 'history ends');
  }
  assert.equal(await ui(reader).loadOlder.isVisible(), false, 'nothing more to load');
  await reader.getByText('This is the beginning of the room\'s history.').waitFor();
  assert.deepEqual(await chatLines(reader), expected, 'every message once, oldest first');
  await screenshot(reader, 'history-loaded');
});

test('times are the server\'s, shown in the reader\'s time zone', async () => {
  const context = await suite.browser.newContext({ timezoneId: 'Asia/Kolkata', locale: 'en-GB' });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (err) => page.errors.push(String(err)));
  suite.track(page);
  await page.goto(`${suite.server.httpUrl}/#room=zones`);
  await connect(page, 'zoned');
  const peer = await v1Peer(suite.server, 'utc', 'zones');
  suite.track(peer);
  const sent = await peer.say('what time is it?', 'zones');
  const entry = page.locator('#messages > li.entry-chat', { hasText: 'what time is it?' });
  await entry.waitFor();
  const time = entry.locator('time');
  assert.equal(await time.getAttribute('datetime'), sent.ts);
  const utc = new Date(sent.ts);
  const kolkata = new Date(utc.getTime() + 330 * 60_000); // UTC+05:30, no daylight saving
  const expected = `${String(kolkata.getUTCHours()).padStart(2, '0')}:${String(kolkata.getUTCMinutes()).padStart(2, '0')}`;
  assert.equal(await time.textContent(), expected);
});
