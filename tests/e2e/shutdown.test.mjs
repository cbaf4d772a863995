// The web client when the server shuts down (SIGTERM): the close reason reaches the status line,
// and the client does not reconnect by itself. Own server, since this test stops it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServerAndBrowser } from '../support/browser.mjs';

const TIMEOUT = 10_000;
let server;
let browser;

before(async () => {
  ({ server, browser } = await startServerAndBrowser());
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('server shutdown shows its reason and leaves the client ready to connect again', { timeout: 30_000 }, async () => {
  const page = await browser.newPage();
  page.setDefaultTimeout(TIMEOUT);
  const errors = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  await page.goto(server.httpUrl + '/');

  await page.getByLabel('Name', { exact: true }).fill('judy');
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await page.getByRole('status').filter({ hasText: 'Connected as judy.' }).waitFor();

  server.proc.kill('SIGTERM');
  await page.getByRole('status').filter({ hasText: 'Server is shutting down.' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Connect', exact: true }).isEnabled(), true);
  assert.equal(await page.getByRole('button', { name: 'Disconnect', exact: true }).isEnabled(), false);
  assert.equal(await page.getByLabel('Message', { exact: true }).isEnabled(), false);
  const result = await server.exited; // the test's timeout catches a hang here
  assert.deepEqual(result, { code: 0, signal: null }, 'the server exits cleanly after SIGTERM');
  assert.deepEqual(errors, []);
});
