// Starts the real parley binary on a free loopback port for a test, and stops it afterwards.
// The binary comes from $PARLEY_BIN (ctest sets it); the port is read from the server's own
// "listening on http(s)://HOST:PORT/" log line, so tests never pick ports themselves.
// The server gets this process's environment without its PARLEY_* variables (the server takes
// every PARLEY_* variable as configuration and refuses unknown ones).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const LISTENING = /listening on (https?):\/\/\S+:(\d+)\//;

export function binaryPath() {
  if (process.env.PARLEY_BIN) return path.resolve(process.env.PARLEY_BIN);
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.resolve(here, '..', '..', 'build', 'release', 'parley');
}

function serverEnvironment() {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PARLEY_')));
}

// Unless the test says where history lives, the server keeps it in a fresh temporary folder,
// removed at stop(): no test sees another's rooms.
function namesStorage(args) {
  return args.some((a) => /^--(storage-path|storage-engine)/.test(String(a)));
}

// One run of the binary: its output as lines, and a way to wait for one.
function launch(args) {
  const proc = spawn(binaryPath(), args, { stdio: ['ignore', 'pipe', 'pipe'], env: serverEnvironment() });
  const lines = [];
  const waiters = new Set();
  let exited = false;
  // 'close', not 'exit': by then every line the server printed has been read.
  const exitPromise = new Promise((resolve) => proc.on('close', (code, signal) => {
    exited = true;
    for (const w of waiters) w.check();
    resolve({ code, signal });
  }));
  let partial = '';
  const onChunk = (chunk) => {
    partial += chunk.toString('utf8');
    let nl;
    while ((nl = partial.indexOf('\n')) >= 0) {
      lines.push(partial.slice(0, nl));
      partial = partial.slice(nl + 1);
    }
    for (const w of waiters) w.check();
  };
  proc.stdout.on('data', onChunk);
  proc.stderr.on('data', onChunk);

  // Resolves with the first match of pattern among printed lines (from index startAt), or null on timeout/exit.
  function waitForLine(pattern, timeoutMs, startAt = 0) {
    return new Promise((resolve) => {
      const waiter = {
        check() {
          for (let i = startAt; i < lines.length; i++) {
            const m = lines[i].match(pattern);
            if (m) return done(m);
          }
          if (exited) done(null);
        },
      };
      const timer = setTimeout(() => done(null), timeoutMs);
      function done(v) { clearTimeout(timer); waiters.delete(waiter); resolve(v); }
      waiters.add(waiter);
      waiter.check();
    });
  }
  return { proc, lines, waitForLine, exitPromise, isExited: () => exited };
}

export async function startParley(args = [], { startTimeoutMs = 15000 } = {}) {
  let storage = null;
  if (!namesStorage(args)) {
    storage = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-test-'));
    args = [...args, '--storage-path', storage];
  }
  const allLines = []; // every run's output, for the sanitizer check at stop()
  let run = launch(['--port', '0', '--bind', '127.0.0.1', ...args]);
  const m = await run.waitForLine(LISTENING, startTimeoutMs);
  if (!m) {
    run.proc.kill('SIGKILL');
    if (storage) fs.rmSync(storage, { recursive: true, force: true });
    throw new Error('parley did not start:\n' + run.lines.join('\n'));
  }
  const tls = m[1] === 'https';
  const port = Number(m[2]);

  async function terminate(timeoutMs = 10000) {
    run.proc.kill('SIGTERM');
    let timer;
    const t = new Promise((r) => { timer = setTimeout(() => r(null), timeoutMs); });
    try {
      return await Promise.race([run.exitPromise, t]);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    port,
    get proc() { return run.proc; },
    get lines() { return run.lines; },
    get exited() { return run.exitPromise; },
    waitForLine: (...a) => run.waitForLine(...a),
    tls,
    url: `${tls ? 'wss' : 'ws'}://127.0.0.1:${port}`,
    httpUrl: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    terminate,
    /**
     * Stops the server (SIGTERM, or `signal`) and starts it again on the same port with the same
     * storage: what a deploy or a crash looks like to the clients. Resolves once it listens again.
     */
    async restart({ signal = 'SIGTERM', whileDown = async () => {} } = {}) {
      run.proc.kill(signal);
      const result = await run.exitPromise;
      if (signal === 'SIGTERM' && result.code !== 0) throw new Error(`parley exited with ${JSON.stringify(result)} on SIGTERM`);
      await whileDown();
      allLines.push(...run.lines);
      run = launch(['--port', String(port), '--bind', '127.0.0.1', ...args]);
      if (!await run.waitForLine(LISTENING, startTimeoutMs)) {
        throw new Error('parley did not start again:\n' + run.lines.join('\n'));
      }
    },
    async stop() {
      if (!run.isExited()) { run.proc.kill('SIGKILL'); await run.exitPromise; }
      if (storage) fs.rmSync(storage, { recursive: true, force: true });
      // A sanitizer build of the server reports errors on its output: fail the test then.
      const lines = [...allLines, ...run.lines];
      if (lines.some((l) => l.includes('Sanitizer') || l.includes('runtime error:'))) {
        throw new Error('sanitizer report from parley:\n' + lines.join('\n'));
      }
    },
  };
}
