// The web client on a phone (375×700: no horizontal scrolling, the sidebar as a drawer) and with
// the keyboard alone (connect, send, join and switch rooms, visible focus); screenshots of the
// main states, light and dark, as test artifacts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browserSuite } from '../support/browser.mjs';
import { v1Peer } from '../support/v1_peer.mjs';
import { chatEntry, connect, openPage, say, screenshot, ui } from '../support/web_page.mjs';

const PHONE = { width: 375, height: 700 };

const suite = browserSuite();

async function page(options) {
  const p = await openPage(suite.browser, suite.server, options);
  suite.track(p);
  return p;
}

const horizontalOverflow = (p) => p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
const focused = (p) => p.evaluate(() => {
  const el = document.activeElement;
  return el?.id || el?.getAttribute('aria-label') || el?.textContent?.trim() || el?.tagName;
});

// Presses key until the focused element is the one wanted (by its focused() description).
async function tabTo(p, wanted, key = 'Tab', max = 30) {
  for (let i = 0; i < max; i++) {
    if (await focused(p) === wanted) return;
    await p.keyboard.press(key);
  }
  throw new Error(`${key} never reached ${wanted}; at ${await focused(p)}`);
}

test('phone: no horizontal scrolling, and the rooms drawer opens, closes with Escape, switches rooms', async () => {
  const phone = await page({ viewport: PHONE });
  assert.equal(await horizontalOverflow(phone), 0, 'before connecting');
  await screenshot(phone, 'phone-start');
  await connect(phone, 'pocket');
  const peer = await v1Peer(suite.server, 'a-rather-long-name-for-a-phone');
  suite.track(peer);
  await peer.say('https://example.org/a/very/long/link/that/does/not/fit/on/a/phone/screen/at/all?with=query&and=more');
  await peer.say('Averyveryveryverylongwordwithoutanyspacesthatmustwrapinsteadofscrollingsideways');
  await chatEntry(phone, 'Averyveryveryverylongwordwithoutanyspacesthatmustwrapinsteadofscrollingsideways').waitFor();
  assert.equal(await horizontalOverflow(phone), 0, 'with long names, links and words');
  await screenshot(phone, 'phone-chat');

  assert.equal(await ui(phone).rooms.isVisible(), false, 'the sidebar is a closed drawer');
  await ui(phone).drawerToggle.click();
  await ui(phone).rooms.waitFor();
  assert.equal(await ui(phone).drawerToggle.getAttribute('aria-expanded'), 'true');
  assert.equal(await focused(phone), '#lobby', 'focus moves into the drawer');
  assert.equal(await horizontalOverflow(phone), 0, 'with the drawer open');
  await screenshot(phone, 'phone-drawer');
  for (let i = 0; i < 8; i++) {
    await phone.keyboard.press('Tab');
    assert.equal(await phone.evaluate(() => !!document.activeElement.closest('#main, #send-form, #connect-form')), false,
      'Tab stays out of what the drawer covers');
  }
  await phone.keyboard.press('Escape');
  await ui(phone).rooms.waitFor({ state: 'hidden' });
  assert.equal(await focused(phone), 'rooms-toggle', 'focus returns to the Rooms button');

  await ui(phone).drawerToggle.click();
  await ui(phone).roomInput.fill('pocket-room');
  await ui(phone).roomInput.press('Enter');
  await phone.locator('#room-title', { hasText: 'pocket-room' }).waitFor();
  await ui(phone).drawerToggle.click();
  await ui(phone).roomLink('lobby').click();
  await ui(phone).rooms.waitFor({ state: 'hidden' });
  await phone.locator('#room-title', { hasText: 'lobby' }).waitFor();

  // Open on a phone, then the window grows: the sidebar is just a sidebar, and nothing is inert.
  await ui(phone).drawerToggle.click();
  await phone.setViewportSize({ width: 1000, height: 700 });
  await phone.waitForFunction(() => !document.getElementById('main').inert);
  await say(phone, 'wide again');
  await chatEntry(phone, 'wide again').waitFor();
});

test('keyboard only: connect, send, join a room and switch back, with visible focus', async () => {
  const p = await page();
  await p.locator('body').focus();
  await tabTo(p, 'name');
  await p.keyboard.type('keys');
  await p.keyboard.press('Enter');
  await p.getByRole('status').filter({ hasText: 'Connected as keys.' }).waitFor();
  assert.equal(await focused(p), 'message', 'focus moves to the message box');
  await p.keyboard.type('typed, not clicked');
  await p.keyboard.press('Enter');
  await chatEntry(p, 'typed, not clicked').and(p.locator(':not(.pending)')).waitFor();

  await tabTo(p, 'room-name', 'Shift+Tab');
  await p.keyboard.type('kbd');
  await p.keyboard.press('Enter');
  await p.locator('#room-title', { hasText: 'kbd' }).waitFor();
  assert.equal(await focused(p), 'message', 'after joining, back to writing');

  await tabTo(p, '#lobby', 'Shift+Tab');
  const outline = await p.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none', 'the focused room link shows its focus');
  await p.keyboard.press('Enter');
  await p.locator('#room-title', { hasText: 'lobby' }).waitFor();
  await chatEntry(p, 'typed, not clicked').waitFor();
});

// A small conversation in two rooms, for the screenshots (and the README's, docs/web-client.png).
test('screenshots: a conversation, in the light and the dark scheme', async () => {
  const p = await page({ colorScheme: 'light', hash: '#room=team' });
  await connect(p, 'ada');
  await ui(p).roomInput.fill('release');
  await ui(p).roomInput.press('Enter');
  await p.locator('#room-title', { hasText: 'release' }).waitFor();
  await ui(p).roomLink('team').click();
  const grace = await v1Peer(suite.server, 'grace', 'team');
  const linus = await v1Peer(suite.server, 'linus', 'team');
  suite.track(grace, linus);
  grace.request({ type: 'join', room: 'release' });
  await grace.joined('release');
  await grace.say('Morning! The deploy notes are at https://example.org/notes', 'team');
  await say(p, 'Thanks, reading them now.');
  await chatEntry(p, 'Thanks, reading them now.').and(p.locator(':not(.pending)')).waitFor();
  await linus.say('The build is green again.', 'team');
  await grace.say('Can someone check the staging logs?', 'release');
  await grace.say('The 2.4 tag is ready.', 'release');
  await ui(p).roomLink('release').locator('.unread', { hasText: /^2$/ }).waitFor();
  grace.request({ type: 'typing', room: 'team' });
  await ui(p).typing.filter({ hasText: 'grace is typing…' }).waitFor();

  const background = () => p.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(await background(), 'rgb(243, 244, 248)');
  await screenshot(p, 'desktop-light');
  await p.emulateMedia({ colorScheme: 'dark' });
  assert.equal(await background(), 'rgb(15, 17, 23)', 'the dark scheme follows prefers-color-scheme');
  await screenshot(p, 'desktop-dark');
});
