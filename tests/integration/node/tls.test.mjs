// wss:// with Node's `ws` against a certificate made by the test (openssl): the tutorial chat
// with the certificate trusted as a CA, and with verification off as a development setup would.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { join, closeAll, joined } from './chat_client.mjs';
import { startParley } from '../../support/parley_server.mjs';
import { makeCertificate } from '../../support/tls_certificate.mjs';

const { cert, key, remove } = makeCertificate('parley-tls-');
after(remove);

test('ws over wss://: chat with the certificate trusted, and with verification off', async () => {
  const server = await startParley(['--tls-cert-file', cert, '--tls-key-file', key]);
  const clients = [];
  try {
    assert.ok(server.tls);
    assert.match(server.url, /^wss:\/\//);
    const alice = await join(server, 'alice', { ca: fs.readFileSync(cert) });
    clients.push(alice);
    const bob = await join(server, 'bob', { rejectUnauthorized: false });
    clients.push(bob);
    await alice.waitForMessage(joined('bob'));
    const expected = new crypto.X509Certificate(fs.readFileSync(cert)).fingerprint256;
    assert.equal(alice.ws._socket.getPeerCertificate().fingerprint256, expected);
    assert.match(alice.ws._socket.getProtocol(), /^TLSv1\.[23]$/);

    alice.send('hello over TLS');
    bob.send('x'.repeat(40000));
    for (const c of [alice, bob]) {
      await c.waitForMessage('alice: hello over TLS');
      await c.waitForMessage('bob: ' + 'x'.repeat(40000));
    }
  } finally {
    await closeAll(clients);
    await server.stop();
  }
});
