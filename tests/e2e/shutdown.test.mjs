// The web client when the server shuts down (SIGTERM) and does not come back: the close reason
// reaches the status line, the client keeps trying to reconnect, and Disconnect stops that.
// Own server, since this test stops it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServerAndBrowser } from '../support/browser.mjs';
import { connect, openPage, ui, waitStatus } from '../support/web_page.mjs';

let server;
let browser;

before(async () => {
  ({ server, browser } = await startServerAndBrowser());
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('server shutdown shows its reason, the client tries to reconnect until Disconnect', { timeout: 30_000 }, async () => {
  const page = await openPage(browser, server);
  await connect(page, 'judy');

  server.proc.kill('SIGTERM');
  await waitStatus(page, 'Server is shutting down. Reconnecting…');
  const result = await server.exited; // the test's timeout catches a hang here
  assert.deepEqual(result, { code: 0, signal: null }, 'the server exits cleanly after SIGTERM');
  assert.equal(await ui(page).disconnect.isEnabled(), true, 'Disconnect stops the retries');
  assert.equal(await ui(page).message.isEnabled(), true, 'writing goes on: messages wait for the connection');
  assert.equal(await ui(page).connect.isEnabled(), false);

  await ui(page).disconnect.click();
  await waitStatus(page, 'Disconnected.');
  assert.equal(await ui(page).connect.isEnabled(), true);
  assert.equal(await ui(page).message.isEnabled(), false);
  assert.deepEqual(page.errors, []);
});
