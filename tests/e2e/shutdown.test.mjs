// The web client when the server shuts down (SIGTERM): the close reason reaches the status line,
// and the client does not reconnect by itself. Own server, since this test stops it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { createRequire } from 'node:module';
import { startParley } from '../support/parley_server.mjs';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');

const TIMEOUT = 10_000;
let server;
let browser;

before(async () => {
  const args = process.env.PARLEY_E2E_WEB_ROOT
    ? ['--web-root', path.resolve(process.env.PARLEY_E2E_WEB_ROOT)] : [];
  server = await startParley(args);
  browser = await chromium.launch({
    executablePath: process.env.PARLEY_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
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

  // (server.terminate() would leave its 10 s timeout timer pending and keep node alive.)
  server.proc.kill('SIGTERM');
  await page.getByRole('status').filter({ hasText: 'Server is shutting down.' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Connect', exact: true }).isEnabled(), true);
  assert.equal(await page.getByRole('button', { name: 'Disconnect', exact: true }).isEnabled(), false);
  assert.equal(await page.getByLabel('Message', { exact: true }).isEnabled(), false);
  const result = await server.exited; // the test's timeout catches a hang here
  assert.deepEqual(result, { code: 0, signal: null }, 'the server exits cleanly after SIGTERM');
  assert.deepEqual(errors, []);
});
