// The web client over https:// and wss:// (tls.cert_file, tls.key_file) in Chromium, with a
// certificate the test makes and --ignore-certificate-errors, as a developer's setup would be.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { browserSuite } from '../support/browser.mjs';
import { chatEntry, connect, openPage, say } from '../support/web_page.mjs';

const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-e2e-tls-'));
const cert = path.join(folder, 'server.crt');
const key = path.join(folder, 'server.key');
execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
  '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost',
  '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
after(() => fs.rmSync(folder, { recursive: true, force: true }));

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
