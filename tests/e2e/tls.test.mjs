// The web client over https:// and wss:// (tls.cert_file, tls.key_file) in Chromium, with a
// certificate the test makes and --ignore-certificate-errors, as a developer's setup would be.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { browserSuite } from '../support/browser.mjs';
import { makeCertificate } from '../support/tls_certificate.mjs';
import { chatEntry, connect, openPage, say } from '../support/web_page.mjs';

const { cert, key, remove } = makeCertificate('parley-e2e-tls-');
after(remove);

const suite = browserSuite(['--tls-cert-file', cert, '--tls-key-file', key],
  { browserArgs: ['--ignore-certificate-errors'] });

test('two pages served over https:// chat over wss://', async () => {
  assert.match(suite.server.httpUrl, /^https:\/\//);
  const alice = suite.track(await openPage(suite.browser, suite.server));
  const sockets = [];
  alice.on('websocket', (ws) => sockets.push(ws.url()));
  assert.match(alice.url(), /^https:\/\//);
  await connect(alice, 'alice');
  const bob = suite.track(await openPage(suite.browser, suite.server));
  await connect(bob, 'bob');
  await say(alice, 'hello over TLS');
  await chatEntry(bob, 'hello over TLS').waitFor();
  await chatEntry(alice, 'hello over TLS').waitFor();
  assert.ok(sockets.length >= 1 && sockets.every((url) => url.startsWith('wss://')), sockets.join());
});
