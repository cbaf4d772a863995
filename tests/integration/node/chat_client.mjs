// Event-driven helpers for the Node `ws` integration tests (not a test file itself).
// Every wait rejects after a timeout instead of sleeping, so a broken server fails fast.
import WebSocket from 'ws';
import { startParley } from '../../support/parley_server.mjs';

export const WAIT_MS = 5000;

export const greeting = (name) => `Hi ${name}! You have successfully connected to the chat`;
export const joined = (name, age) =>
  age === undefined ? `${name} connected to chat` : `${name} with age ${age} connected to chat`;
export const left = (name) => `${name} left the chat`;

let uniq = 0;
// A fresh username per call, so tests in one file never collide on the shared room.
export function uniqueName(prefix = 'u') {
  uniq += 1;
  return `${prefix}${process.pid}x${uniq}`;
}

function withTimeout(promise, ms, what) {
  let timer;
  const t = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, t]).finally(() => clearTimeout(timer));
}

// A ws client that records everything: text messages (strings), binary messages, pongs,
// errors, the upgrade response and the close event. Listeners are attached at construction,
// before any event can fire, so nothing is lost.
export class ChatClient {
  constructor(url, { perMessageDeflate = false, ...opts } = {}) {
    this.url = url;
    this.requestHeaders = null; // what ws actually sent in the upgrade request
    this.ws = new WebSocket(url, {
      perMessageDeflate,
      finishRequest: (req) => { this.requestHeaders = req.getHeaders(); req.end(); },
      ...opts,
    });
    this.messages = [];      // text frames, in arrival order
    this.binary = [];        // binary frames (the server never should send any)
    this.pongs = [];
    this.errors = [];
    this.upgradeResponse = null;
    this.closeInfo = null;   // { code, reason }
    this._waiters = new Set();

    this.ws.on('upgrade', (res) => { this.upgradeResponse = res; });
    this.ws.on('message', (data, isBinary) => {
      if (isBinary) this.binary.push(data);
      else this.messages.push(data.toString('utf8'));
      this._notify();
    });
    this.ws.on('pong', (data) => { this.pongs.push(Buffer.from(data)); this._notify(); });
    this.ws.on('error', (err) => { this.errors.push(err); this._notify(); });
    this.ws.on('close', (code, reason) => {
      this.closeInfo = { code, reason: reason.toString('utf8') };
      this._notify();
    });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', resolve);
      this.ws.once('close', () => reject(new Error(`${url}: closed before open`)));
      this.ws.once('error', reject);
    });
    this.opened.catch(() => {});
  }

  _notify() { for (const w of [...this._waiters]) w(); }

  // Resolves when predicate() returns a truthy value (checked on every event); rejects on timeout.
  until(predicate, what, ms = WAIT_MS) {
    let check;
    const p = new Promise((resolve) => {
      check = () => {
        const v = predicate();
        if (v) { this._waiters.delete(check); resolve(v); }
      };
      this._waiters.add(check);
      check();
    });
    return withTimeout(p, ms, `${what} (${this.url})`).finally(() => this._waiters.delete(check));
  }

  // Resolves with the first `count` text messages received at index >= from.
  async messagesFrom(from, count, ms = WAIT_MS) {
    await this.until(
      () => this.messages.length >= from + count || this.closeInfo,
      `${count} messages from index ${from}; have ${JSON.stringify(this.messages.slice(from))}`,
      ms,
    );
    if (this.messages.length < from + count) {
      throw new Error(`connection closed (${JSON.stringify(this.closeInfo)}) with only ` +
        `${JSON.stringify(this.messages.slice(from))} from index ${from}`);
    }
    return this.messages.slice(from, from + count);
  }

  // Resolves with the index of the first message at index >= from equal to text.
  async waitForMessage(text, from = 0, ms = WAIT_MS) {
    const find = () => {
      const i = this.messages.indexOf(text, from);
      return i >= 0 ? { i } : (this.closeInfo ? { i: -1 } : null);
    };
    const { i } = await this.until(find, `message ${JSON.stringify(text)}; have ` +
      `${JSON.stringify(this.messages.slice(from, from + 20))}`, ms);
    if (i < 0) {
      throw new Error(`closed ${JSON.stringify(this.closeInfo)} before message ${JSON.stringify(text)}; ` +
        `got ${JSON.stringify(this.messages.slice(from))}`);
    }
    return i;
  }

  // Resolves with { code, reason } once the close event fired.
  async closed(ms = WAIT_MS) {
    await this.until(() => this.closeInfo, 'close event', ms);
    return this.closeInfo;
  }

  send(text) { this.ws.send(text); }

  // Sends `text` and waits for its own broadcast `name: text`. Because every member sees the
  // room's events in one order, everything the server sent this client before that echo is now
  // in this.messages: a barrier that lets tests assert the *absence* of a message without sleeping.
  // Returns the index of the echo.
  async barrier(name, text = `barrier-${Math.random().toString(36).slice(2)}`, from = 0) {
    this.send(text);
    return this.waitForMessage(`${name}: ${text}`, from);
  }

  close(code, reason) { this.ws.close(code, reason); }
  terminate() { this.ws.terminate(); }
}

// Connects as `name` (already URL-encoded if needed via pathName) and waits for the greeting,
// asserting it is the very first message.
export async function join(server, name, { age, pathName, query, ...opts } = {}) {
  let url = `${server.url}/chat/${pathName ?? encodeURIComponent(name)}`;
  if (query !== undefined) url += `?${query}`;
  else if (age !== undefined) url += `?age=${age}`;
  const c = new ChatClient(url, opts);
  c.name = name;
  const [first] = await c.messagesFrom(0, 1);
  if (first !== greeting(name)) {
    throw new Error(`expected greeting for ${name}, got ${JSON.stringify(first)}`);
  }
  return c;
}

// Opens a connection that the server is expected to reject after the upgrade; resolves
// with the close { code, reason } and the client.
export async function expectRejected(server, pathName, { query, ...opts } = {}) {
  let url = `${server.url}/chat/${pathName}`;
  if (query !== undefined) url += `?${query}`;
  const c = new ChatClient(url, opts);
  const info = await c.closed();
  return { ...info, client: c };
}

// Closes every still-open client and waits (bounded) for their close events.
export async function closeAll(clients) {
  await Promise.allSettled(clients.filter(Boolean).map(async (c) => {
    if (c.closeInfo) return;
    if (c.ws.readyState === WebSocket.CONNECTING || c.ws.readyState === WebSocket.OPEN) {
      try { c.close(1000); } catch { c.terminate(); }
    }
    try { await c.closed(2000); } catch { c.terminate(); }
  }));
}

// Servers started by one test file; stopAll() goes in after().
export function serverPool() {
  const servers = [];
  return {
    async start(args = []) {
      const s = await startParley(args);
      servers.push(s);
      return s;
    },
    async stopAll() {
      await Promise.all(servers.map((s) => s.stop()));
    },
  };
}
