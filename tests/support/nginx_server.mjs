// Starts Debian's nginx with deploy/nginx/parley.conf in front of test nodes, for Node tests, as
// tests/support/nginx_server.py does for Python ones: the shipped file with its `upstream parley`
// servers replaced by the nodes and its `listen` lines by one free loopback port, run in the
// foreground from a temporary prefix (no root needed, the machine's nginx untouched). nginx
// logs "start worker process" once its port is bound; a port someone else took meanwhile makes
// it exit, and startNginx() tries another.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SHIPPED = path.resolve(HERE, '..', '..', 'deploy', 'nginx', 'parley.conf');
const READY = /start worker process/;

const mainConfig = (prefix) => `daemon off;
worker_processes 2;
pid ${prefix}/nginx.pid;
error_log stderr notice;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path ${prefix}/client_body;
    proxy_temp_path ${prefix}/proxy;
    fastcgi_temp_path ${prefix}/fastcgi;
    uwsgi_temp_path ${prefix}/uwsgi;
    scgi_temp_path ${prefix}/scgi;
    include ${prefix}/parley.conf;
}
`;

/** The shipped file with `upstream parley` holding `nodes` ("host:port") and one listen line. */
export function siteConfig(shipped, nodes, port) {
  const upstream = shipped.match(/(upstream parley \{\n)([\s\S]*?)(\n\})/);
  if (!upstream) throw new Error('deploy/nginx/parley.conf has no `upstream parley { ... }` block');
  const server = /^(\s*)server \S+(.*;)$/m;
  const first = upstream[2].match(server);
  if (!first) throw new Error('`upstream parley` lists no server');
  const body = upstream[2].split('\n').filter((line) => !server.test(line)).join('\n')
    + nodes.map((node) => `\n${first[1]}server ${node}${first[2]}`).join('');
  let text = shipped.replace(upstream[0], upstream[1] + body + upstream[3]);
  let listens = 0;
  text = text.replace(/^(\s*)listen [^;]+;\n/gm, (line, indent) => (listens++ === 0 ? `${indent}listen 127.0.0.1:${port};\n` : ''));
  if (!listens) throw new Error('deploy/nginx/parley.conf has no `listen` line');
  return text;
}

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

function startOnce(prefix, port, timeoutMs) {
  const proc = spawn('nginx', ['-p', prefix, '-c', path.join(prefix, 'nginx.conf'), '-e', 'stderr'],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  const exited = new Promise((resolve) => proc.on('close', resolve));
  const ready = new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    proc.stderr.on('data', (chunk) => {
      output += chunk.toString('utf8');
      if (READY.test(output)) { clearTimeout(timer); resolve(true); }
    });
    exited.then(() => { clearTimeout(timer); resolve(false); });
  });
  async function stop() {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    await exited;
  }
  return { ready, stop, output: () => output };
}

/** nginx in front of `nodes` (startParley() results): { port, url, httpUrl, stop() }. */
export async function startNginx(nodes, { attempts = 3, timeoutMs = 10_000 } = {}) {
  const shipped = fs.readFileSync(SHIPPED, 'utf8');
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-nginx-'));
  fs.chmodSync(prefix, 0o755);  // as root, nginx's workers run as nobody
  fs.writeFileSync(path.join(prefix, 'nginx.conf'), mainConfig(prefix));
  const upstream = nodes.map((node) => `127.0.0.1:${node.port}`);
  let last = '';
  for (let i = 0; i < attempts; i++) {
    const port = await freePort();
    fs.writeFileSync(path.join(prefix, 'parley.conf'), siteConfig(shipped, upstream, port));
    const run = startOnce(prefix, port, timeoutMs);
    if (await run.ready) {
      return {
        port,
        url: `ws://127.0.0.1:${port}`,
        httpUrl: `http://127.0.0.1:${port}`,
        async stop() {
          await run.stop();
          fs.rmSync(prefix, { recursive: true, force: true });
        },
      };
    }
    last = run.output();
    await run.stop();
  }
  fs.rmSync(prefix, { recursive: true, force: true });
  throw new Error(`nginx did not start:\n${last}`);
}
