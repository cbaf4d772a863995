// Starts a real redis-server (Debian's package) on a free loopback port for a Node test, as
// tests/support/redis_server.py does for Python ones. Nothing is saved to disk; the server's
// "Ready to accept connections" line says when it is up. The port is one the kernel just handed
// out for a moment; when another process takes it first, startRedis() tries another.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const READY = /Ready to accept connections/;

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

function startOnce(port, timeoutMs) {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-redis-'));
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '',
    '--appendonly', 'no', '--dir', folder], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise((resolve) => proc.on('close', resolve));
  const ready = new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    const onData = (chunk) => {
      output += chunk.toString('utf8');
      if (READY.test(output)) { clearTimeout(timer); resolve(true); }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    exited.then(() => { clearTimeout(timer); resolve(false); });
  });
  async function stop() {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    await exited;
    fs.rmSync(folder, { recursive: true, force: true });
  }
  return { ready, stop, output: () => output };
}

/** A running redis-server: { port, url, stop() }. */
export async function startRedis({ attempts = 3, timeoutMs = 10_000 } = {}) {
  let last = '';
  for (let i = 0; i < attempts; i++) {
    const port = await freePort();
    const run = startOnce(port, timeoutMs);
    if (await run.ready) return { port, url: `redis://127.0.0.1:${port}`, stop: run.stop };
    last = run.output();
    await run.stop();
  }
  throw new Error(`redis-server did not start:\n${last}`);
}
