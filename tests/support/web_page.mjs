// The web client in a browser page, for e2e tests: open a page, find its controls by label and
// role (as a person would), connect, read the timeline, save screenshots as test artifacts.
import fs from 'node:fs';
import path from 'node:path';

export const TIMEOUT = 20_000;  // generous: a shared 2-core machine may be busy
// Screenshots go under build/ (not committed); ctest runs from the source folder.
export const ARTIFACTS = path.resolve(process.env.PARLEY_E2E_ARTIFACTS || 'build/e2e-artifacts');

/** A fresh page in its own browser context (own storage), with the client loaded at `search` and `hash`. */
export async function openPage(browser, server, { viewport = { width: 1100, height: 760 }, search = '', hash = '', colorScheme = 'light' } = {}) {
  const context = await browser.newContext({ viewport, colorScheme });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.errors = [];
  page.on('pageerror', (err) => page.errors.push(String(err)));
  // The server's Content-Security-Policy refusing something the client does is a bug of the client.
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy/i.test(msg.text())) page.errors.push(msg.text());
  });
  await page.goto(`${server.httpUrl}/${search}${hash}`);
  return page;
}

export const ui = (page) => ({
  name: page.getByLabel('Name', { exact: true }),
  age: page.getByLabel(/^Age\b/),
  token: page.getByLabel('Access token', { exact: true }),
  useToken: page.getByRole('button', { name: 'Use new token', exact: true }),
  haveToken: page.getByRole('button', { name: 'I have a token', exact: true }),
  message: page.getByLabel('Message', { exact: true }),
  connect: page.getByRole('button', { name: 'Connect', exact: true }),
  disconnect: page.getByRole('button', { name: 'Disconnect', exact: true }),
  send: page.getByRole('button', { name: 'Send', exact: true }),
  status: page.getByRole('status'),
  roomInput: page.getByLabel('Join or create a room'),
  rooms: page.getByRole('navigation', { name: 'Rooms' }),
  roomLink: (room) => page.getByRole('navigation', { name: 'Rooms' }).getByRole('link', { name: new RegExp(`^#${room}(,|$)`) }),
  online: page.locator('#users > li'),
  typing: page.locator('#typing'),
  loadOlder: page.getByRole('button', { name: 'Load older messages' }),
  drawerToggle: page.getByRole('button', { name: /^Rooms\b/ }),
});

export async function waitStatus(page, text) {
  await ui(page).status.filter({ hasText: text }).waitFor();
}

export async function connect(page, name) {
  await ui(page).name.fill(name);
  await ui(page).connect.click();
  await waitStatus(page, `Connected as ${name}.`);
}

export async function say(page, text) {
  await ui(page).message.fill(text);
  await ui(page).message.press('Enter');
}

/** The chat messages of the room shown: [sender, text] pairs, pending ones marked. */
export function chatLines(page) {
  return page.locator('#messages > li.entry-chat').evaluateAll((items) => items.map((li) => [
    li.querySelector('.sender').textContent, li.querySelector('.body').textContent,
    ...(li.classList.contains('pending') ? ['pending'] : []),
  ]));
}

export function chatEntry(page, text) {
  return page.locator('#messages > li.entry-chat').filter({ has: page.locator('.body', { hasText: new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) });
}

export async function screenshot(page, name) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
}
