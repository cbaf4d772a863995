// The tutorial chat room on Node's `ws`, written the way most Node apps write it: one room, a
// Map of clients, and a plain loop of ws.send() per broadcast. A comparison peer for bench/run.
// Usage: node bench/peers/node/server.mjs [--port 0] [--bind 127.0.0.1]
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

// `ws` comes from tests/node_modules (installed by `scripts/bootstrap test`).
const require = createRequire(new URL('../../../tests/package.json', import.meta.url));
const { WebSocketServer } = require('ws');

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '9090' },
    bind: { type: 'string', default: '127.0.0.1' },
  },
});

const clients = new Map(); // username -> ws, in join order

function broadcast(text) {
  for (const client of clients.values()) client.send(text);
}

// "/chat/J%C3%BCrgen?age=30" -> { name: "Jürgen", age: "30" }; null for any other path.
function parseChatPath(rawUrl) {
  const url = new URL(rawUrl, 'http://localhost');
  const match = /^\/chat\/([^/]+)$/.exec(url.pathname);
  if (!match) return null;
  try {
    return { name: decodeURIComponent(match[1]), age: url.searchParams.get('age') };
  } catch {
    return null; // malformed percent-encoding
  }
}

const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });

wss.on('connection', (ws, user) => {
  const { name, age } = user;
  if (clients.has(name)) {
    ws.close(1003, 'Username already exists.');
    return;
  }
  ws.send(`Hi ${name}! You have successfully connected to the chat`);
  broadcast(age ? `${name} with age ${age} connected to chat` : `${name} connected to chat`);
  clients.set(name, ws); // after the notice: the newcomer does not get its own

  ws.on('message', (data, isBinary) => {
    if (!isBinary) broadcast(`${name}: ${data}`);
  });
  ws.on('close', () => {
    clients.delete(name);
    broadcast(`${name} left the chat`);
  });
  ws.on('error', () => {}); // 'close' follows; nothing else to do
});

const server = createServer((req, res) => {
  res.writeHead(404).end('Not Found');
});

server.on('upgrade', (req, socket, head) => {
  const user = parseChatPath(req.url);
  if (!user) {
    socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, user));
});

// 10,000 idle connections for the RSS workload queue up faster than the default backlog drains.
server.listen({ port: Number(args.port), host: args.bind, backlog: 4096 }, () => {
  const { address, port } = server.address();
  console.log(`listening on http://${address}:${port}/`);
});

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
