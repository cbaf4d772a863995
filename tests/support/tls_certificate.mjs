// A throwaway certificate for the tests' TLS servers, made with the openssl command line (not the
// server's code): EC P-256, for localhost and 127.0.0.1, valid two days.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** { cert, key }: PEM files in a fresh temporary folder; remove() deletes it. */
export function makeCertificate(prefix = 'parley-tls-') {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const cert = path.join(folder, 'server.crt');
  const key = path.join(folder, 'server.key');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
    '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
  return { cert, key, remove: () => fs.rmSync(folder, { recursive: true, force: true }) };
}
